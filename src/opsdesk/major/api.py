"""The major-incident REST API (/api/v1/major-incidents): declare, read,
post a status update, mark a plan step done, lift, read the report."""

import json

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Router
from ninja.responses import NinjaJSONEncoder

from opsdesk.core.errors import Forbidden, Invalid, NotFound
from opsdesk.core.models import User
from opsdesk.incidents.queries import get_incident_for

from . import actions, queries
from .models import MajorIncident
from .schemas import (
    LiftBody,
    MajorIncidentCreate,
    MajorIncidentRead,
    ReportRead,
    StepDone,
    UpdateCreate,
)

router = Router(tags=["major"], by_alias=True)
SOURCE = "api"


def major_read(major: MajorIncident) -> dict:
    return {
        **{name: getattr(major, name) for name in (
            "number", "version", "status", "reason", "declared_at", "update_interval_minutes",
            "update_due_at", "last_update_at", "business_recovered_at", "lifted_at", "cause",
            "summary")},
        "declared_by": major.declared_by.username,
        "plans": [plan.name for plan in major.plans.order_by("name")],
        "team": [{"user": member.user.username, "name": str(member.user), "role": member.role}
                 for member in major.team.select_related("user").order_by("id")],
        "steps": [{"id": step.pk, "text": step.text, "plan": step.plan.name if step.plan else None,
                   "done_at": step.done_at, "note": step.note,
                   "done_by": step.done_by.username if step.done_by else None}
                  for step in major.steps.select_related("plan", "done_by").order_by(
                      "position", "id")],
        "updates": [{"at": update.at, "author": update.author.username, "text": update.text}
                    for update in major.updates.select_related("author").order_by("at", "id")],
        "problem": major.problem.number if major.problem_id else None,
    }


def _current(user, number: str) -> dict:
    return major_read(queries.get_major_for(user, number))


def _staff_named(username: str, field: str, errors: dict):
    user = User.objects.filter(username=username).first()
    if user is None:
        errors[field] = _("Nobody is called “%(name)s”.") % {"name": username}
    return user


@router.post("", response={201: MajorIncidentRead}, summary="Declare a major incident")
def declare(request, payload: MajorIncidentCreate):
    """Managers only. The contingency plans of the incident's item and of the
    services depending on it are attached; the team and management are told."""
    if request.auth.is_requester:
        raise Forbidden()
    errors = {}
    incident = None
    try:
        incident = get_incident_for(request.auth, payload.incident)
    except NotFound as error:
        errors["incident"] = error.message
    commander = (_staff_named(payload.commander, "commander", errors)
                 if payload.commander else None)
    team = [(_staff_named(entry.user, "team", errors), entry.role) for entry in payload.team]
    if errors:
        raise Invalid(fields=errors)
    major = actions.declare(incident, actor=request.auth, source=SOURCE, reason=payload.reason,
                            commander=commander, team=team,
                            update_interval_minutes=payload.update_interval_minutes)
    return HttpResponse(json.dumps(_current(request.auth, major.number), cls=NinjaJSONEncoder),
                        status=201, content_type="application/json; charset=utf-8")


@router.get("/{number}", response=MajorIncidentRead, summary="Read a major incident")
def read(request, number: str):
    return _current(request.auth, number)


@router.post("/{number}/updates", response=MajorIncidentRead,
             summary="Post a status update (broadcast to the stakeholders)")
def post_update(request, number: str, payload: UpdateCreate):
    major = queries.get_major_for(request.auth, number)
    actions.post_update(major, actor=request.auth, source=SOURCE, text=payload.text)
    return _current(request.auth, number)


@router.post("/{number}/steps/{step_id}/done", response=MajorIncidentRead,
             summary="Mark a contingency-plan step done")
def mark_step(request, number: str, step_id: int, payload: StepDone):
    major = queries.get_major_for(request.auth, number)
    actions.mark_step(major, actor=request.auth, source=SOURCE, step_id=step_id,
                      note=payload.note)
    return _current(request.auth, number)


@router.post("/{number}/lift", response=MajorIncidentRead,
             summary="Confirm the emergency is lifted")
def lift(request, number: str, payload: LiftBody):
    """The commander or a manager. Generates and mails the report and raises
    the aftermath problem."""
    major = queries.get_major_for(request.auth, number)
    actions.lift(major, actor=request.auth, source=SOURCE,
                 business_recovered_at=payload.business_recovered_at, cause=payload.cause,
                 summary=payload.summary)
    return _current(request.auth, number)


@router.get("/{number}/report", response=ReportRead, summary="Read the major-incident report")
def read_report(request, number: str):
    major = queries.get_major_for(request.auth, number)
    stored = getattr(major, "report", None)
    if stored is None:
        raise NotFound(_("There is no report until the emergency is lifted."))
    return {"number": major.number, "generated_at": stored.generated_at,
            "recovery_minutes": stored.content["recovery_minutes"], "content": stored.content}
