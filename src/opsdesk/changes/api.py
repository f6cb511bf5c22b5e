"""The changes REST API (/api/v1/changes): list, read, create, act, vote,
and log an emergency change carried out first."""

import json

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.responses import NinjaJSONEncoder

from opsdesk.cmdb import impact
from opsdesk.core.errors import Invalid, NotFound, OpsDeskError
from opsdesk.core.models import ConfigurationItem, Customer, Service, Team, User
from opsdesk.incidents.queries import get_incident_for
from opsdesk.problems.queries import get_problem_for

from . import actions, conflicts, queries, steps
from .choices import Action
from .models import Change, StandardChange
from .schemas import ChangeAct, ChangeCreate, ChangeRead, EmergencyCreate, VoteBody

router = Router(tags=["changes"], by_alias=True)
SOURCE = "api"
PAGE = 100


class ChangeFilters(Schema):
    queue: str = "open"


def change_read(change: Change) -> dict:
    cis = list(change.cis.order_by("name"))
    impacted = sorted({service.name for ci in cis for service in impact.affected_services(ci)})
    return {
        **{name: getattr(change, name) for name in (
            "number", "version", "kind", "state", "title", "reason", "description",
            "implementation_plan", "rollback_plan", "test_plan", "planned_start",
            "planned_end", "risk_answers", "risk_impact", "risk_probability", "risk_score",
            "quorum", "implementation_notes", "review_notes", "record_due_at",
            "recorded_at", "created_at", "finished_at")},
        "risk_level": change.risk_level or None,
        "outcome": change.outcome or None,
        "template": change.template.name if change.template_id else None,
        "cis": [ci.name for ci in cis],
        "services": [service.code for service in change.services.order_by("code")],
        "impacted_services": impacted,
        "customer": change.customer.code if change.customer_id else None,
        "requested_by": change.requested_by.username,
        "owner": change.owner.username if change.owner_id else None,
        "implementer_team": change.implementer_team.name if change.implementer_team_id
        else None,
        "problem": change.problem.number if change.problem_id else None,
        "votes": [{"approver": seat.approver.username, "vote": seat.vote or None,
                   "comment": seat.comment, "voted_at": seat.voted_at}
                  for seat in change.approvals.select_related("approver").order_by("id")],
        "incidents": [{"incident": link.incident.number, "relation": link.relation}
                      for link in change.incident_links.select_related("incident")
                      .order_by("id")],
        "conflicts": [{"kind": c.kind, "other": getattr(c.other, "number", None) or
                       c.other.name, "message": c.message}
                      for c in conflicts.conflicts_for(change)],
    }


def _current(user, change) -> dict:
    return change_read(queries.get_change_for(user, change.number))


def _created(user, change) -> HttpResponse:
    return HttpResponse(json.dumps(_current(user, change), cls=NinjaJSONEncoder), status=201,
                        content_type="application/json; charset=utf-8")


def _many(model, key: str, field: str, values, errors: dict) -> list:
    rows = {getattr(row, key): row for row in model.objects.filter(**{f"{key}__in": values})}
    missing = [value for value in values if value not in rows]
    if missing:
        errors[field] = _("Nothing called “%(name)s” was found.") % {"name": missing[0]}
    return [rows[value] for value in values if value in rows]


def _one(model, key: str, field: str, value, errors: dict):
    if not value:
        return None
    found = _many(model, key, field, [value], errors)
    return found[0] if found else None


@router.get("", response=list[ChangeRead], summary="List changes")
def list_changes(request, filters: Query[ChangeFilters]):
    """Queues: mine, my_votes, to_assess, scheduled, unrecorded, open, all. Newest first."""
    if filters.queue not in queries.QUEUES:
        raise Invalid(fields={"queue": _("Choose one of: %(options)s.") % {
            "options": ", ".join(queries.QUEUES)}})
    found = queries.queue(request.auth, filters.queue).order_by("-id")[:PAGE]
    return [change_read(change) for change in found]


@router.post("/emergency", response={201: ChangeRead},
             summary="Log an emergency change carried out first during a P1 incident")
def log_emergency(request, payload: EmergencyCreate):
    errors = {}
    try:
        incident = get_incident_for(request.auth, payload.incident)
    except OpsDeskError as error:
        errors["incident"] = error.message
    cis = _many(ConfigurationItem, "name", "cis", payload.cis, errors)
    if errors:
        raise Invalid(fields=errors)
    change = actions.log_emergency_change(
        actor=request.auth, source=SOURCE, incident=incident, title=payload.title,
        description=payload.description, cis=cis, planned_end=payload.planned_end)
    return _created(request.auth, change)


@router.get("/{number}", response=ChangeRead, summary="Read a change")
def read_change(request, number: str):
    return change_read(queries.get_change_for(request.auth, number))


@router.post("", response={201: ChangeRead}, summary="Raise an RFC")
def create_change(request, payload: ChangeCreate):
    errors = {}
    problem = None
    if payload.problem:
        try:
            problem = get_problem_for(request.auth, payload.problem)
        except OpsDeskError as error:
            errors["problem"] = error.message
    related = {
        "cis": _many(ConfigurationItem, "name", "cis", payload.cis, errors),
        "services": _many(Service, "code", "services", payload.services, errors),
        "customer": _one(Customer, "code", "customer", payload.customer, errors),
        "template": _one(StandardChange, "name", "template", payload.template, errors),
        "implementer_team": _one(Team, "name", "implementer_team", payload.implementer_team,
                                 errors),
        "owner": _one(User, "username", "owner", payload.owner, errors),
    }
    if errors:
        raise Invalid(fields=errors)
    values = payload.model_dump(exclude={"cis", "services", "customer", "template",
                                         "implementer_team", "owner", "problem", "submit"})
    change = actions.create_change(actor=request.auth, source=SOURCE, problem=problem,
                                   and_submit=payload.submit, **values, **related)
    return _created(request.auth, change)


@router.post("/{number}/vote", response=ChangeRead, summary="Vote as a CAB member")
def vote(request, number: str, payload: VoteBody):
    change = queries.get_change_for(request.auth, number)
    actions.vote(change, actor=request.auth, source=SOURCE, decision=payload.vote,
                 comment=payload.comment)
    return _current(request.auth, change)


@router.post("/{number}/actions/{action}", response=ChangeRead, summary="A change action")
def act(request, number: str, action: str, payload: ChangeAct):
    """submit, assess, vote, schedule, start, complete, fail, roll-back,
    review, close, cancel, record, raise-incident, link-incident."""
    change = queries.get_change_for(request.auth, number)
    try:
        step = Action(action)
        steps.STEPS[step]
    except (ValueError, KeyError):
        raise NotFound(_("There is no action called “%(action)s”.") % {"action": action}) \
            from None
    if step not in steps.UNVERSIONED and payload.version is None:
        raise Invalid(fields={"version": _("This field is required.")})
    steps.perform(change, step, actor=request.auth, source=SOURCE,
                  expected_version=payload.version,
                  values=payload.model_dump(exclude={"version"}))
    return _current(request.auth, change)
