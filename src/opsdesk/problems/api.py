"""The problems REST API (/api/v1/problems): list, read, create, act, link."""

import json

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.responses import NinjaJSONEncoder

from opsdesk.core.errors import Invalid, NotFound
from opsdesk.core.models import ConfigurationItem
from opsdesk.incidents.queries import get_incident_for

from . import actions, queries, steps
from .choices import Action
from .models import Problem
from .schemas import LinkBody, ProblemAct, ProblemCreate, ProblemRead

router = Router(tags=["problems"], by_alias=True)
SOURCE = "api"
PAGE = 100


class ProblemFilters(Schema):
    queue: str = "all"
    ci: str | None = None
    q: str | None = None


def problem_read(problem: Problem) -> dict:
    return {
        **{name: getattr(problem, name) for name in (
            "number", "version", "title", "description", "symptoms", "level", "source",
            "state", "root_cause", "workaround", "solution", "preventive_actions",
            "change_reference", "review_minutes", "user_representatives", "dismissal_reason",
            "created_at", "opened_at", "known_error_at", "resolved_at", "closed_at")},
        "category": problem.category or None,
        "ci": problem.ci.name if problem.ci_id else None,
        "service": problem.service.name if problem.service_id else None,
        "owner": problem.owner.username if problem.owner_id else None,
        "team": problem.team.name if problem.team_id else None,
        "incidents": list(problem.links.order_by("id").values_list("incident__number",
                                                                     flat=True)),
    }


def _current(user, problem) -> dict:
    return problem_read(queries.get_problem_for(user, problem.number))


@router.get("", response=list[ProblemRead], summary="List problems")
def list_problems(request, filters: Query[ProblemFilters]):
    """Queues: mine, open, proposed, known_errors, all. Newest first."""
    if filters.queue not in queries.QUEUES:
        raise Invalid(fields={"queue": _("Choose one of: %(options)s.") % {
            "options": ", ".join(queries.QUEUES)}})
    if filters.queue == "known_errors" and (filters.q or filters.ci):
        ci = ConfigurationItem.objects.filter(name=filters.ci).first() if filters.ci else None
        found = queries.search_known_errors(request.auth, text=filters.q or "", ci=ci)
    else:
        found = list(queries.queue(request.auth, filters.queue).order_by("-id")[:PAGE])
    return [problem_read(problem) for problem in found]


@router.get("/{number}", response=ProblemRead, summary="Read a problem")
def read_problem(request, number: str):
    return problem_read(queries.get_problem_for(request.auth, number))


@router.post("", response={201: ProblemRead}, summary="Raise a problem")
def create_problem(request, payload: ProblemCreate):
    errors = {}
    ci = None
    if payload.ci:
        ci = ConfigurationItem.objects.filter(name=payload.ci).first()
        if ci is None:
            errors["ci"] = _("Nothing called “%(name)s” was found.") % {"name": payload.ci}
    incident = None
    if payload.incident:
        try:
            incident = get_incident_for(request.auth, payload.incident)
        except NotFound as error:
            errors["incident"] = error.message
    if errors:
        raise Invalid(fields=errors)
    problem = actions.create_problem(
        actor=request.auth, source=SOURCE, title=payload.title, origin=payload.source,
        description=payload.description, symptoms=payload.symptoms,
        category=payload.category or "", level=payload.level, ci=ci,
        service=ci.service if ci else None, incident=incident)
    return HttpResponse(json.dumps(_current(request.auth, problem), cls=NinjaJSONEncoder),
                        status=201, content_type="application/json; charset=utf-8")


@router.post("/{number}/actions/link-incident", response=ProblemRead, summary="Link an incident")
def link_incident(request, number: str, payload: LinkBody):
    problem = queries.get_problem_for(request.auth, number)
    try:
        incident = get_incident_for(request.auth, payload.incident)
    except NotFound as error:
        raise Invalid(fields={"incident": error.message}) from None
    actions.link_incident(problem, actor=request.auth, source=SOURCE, incident=incident)
    return _current(request.auth, problem)


@router.post("/{number}/actions/notify-incidents", response=ProblemRead,
             summary="Tell the linked open incidents that the problem is solved")
def notify_incidents(request, number: str):
    problem = queries.get_problem_for(request.auth, number)
    actions.notify_linked_incidents(problem, actor=request.auth, source=SOURCE)
    return _current(request.auth, problem)


@router.post("/{number}/actions/{action}", response=ProblemRead, summary="A state action")
def act(request, number: str, action: str, payload: ProblemAct):
    """accept, dismiss, register, assign, investigate, publish-workaround,
    identify-solution, request-change, review, archive, close."""
    problem = queries.get_problem_for(request.auth, number)
    try:
        step = Action(action)
        steps.STEPS[step]
    except (ValueError, KeyError):
        raise NotFound(_("There is no action called “%(action)s”.") % {"action": action}) \
            from None
    values = payload.model_dump(exclude={"version"})
    steps.perform(problem, step, actor=request.auth, source=SOURCE,
                  expected_version=payload.version, values=values)
    return _current(request.auth, problem)
