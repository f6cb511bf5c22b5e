"""The change actions by name, with the fields each takes, so that the
console and the API offer them the same way. Values arrive as people type
them (login names, team names, incident numbers) and are looked up here."""

from django.utils.translation import gettext as _

from opsdesk.core.errors import Invalid, OpsDeskError
from opsdesk.core.models import Team, User
from opsdesk.incidents.queries import get_incident_for

from . import actions
from .choices import Action

# action: (function, the fields it takes, how the single text field is passed)
STEPS = {
    Action.SUBMIT: (actions.submit, ()),
    Action.ASSESS: (actions.assess, ("approvers", "note")),
    Action.VOTE: (actions.vote, ("vote", "comment")),
    Action.SCHEDULE: (actions.schedule, ("planned_start", "planned_end", "implementer_team",
                                         "owner")),
    Action.START: (actions.start, ("note",)),
    Action.COMPLETE: (actions.complete, ("implementation_notes",)),
    Action.FAIL: (actions.fail, ("implementation_notes",)),
    Action.ROLL_BACK: (actions.roll_back, ("implementation_notes",)),
    Action.REVIEW: (actions.review, ("review_notes",)),
    Action.CLOSE: (actions.close, ("note",)),
    Action.CANCEL: (actions.cancel, ("reason",)),
    Action.RECORD: (actions.record_emergency, ("reason", "implementation_plan",
                                               "rollback_plan", "test_plan")),
    Action.RAISE_INCIDENT: (actions.raise_incident, ("title", "impact", "urgency")),
    Action.LINK_INCIDENT: (actions.link_incident, ("incident", "relation")),
}
# Steps that take one free text, passed to the action as `text`.
TEXT_STEPS = {Action.START, Action.COMPLETE, Action.FAIL, Action.ROLL_BACK, Action.REVIEW,
              Action.CLOSE, Action.CANCEL}
UNVERSIONED = {Action.VOTE, Action.RAISE_INCIDENT, Action.LINK_INCIDENT}


def named(model, field: str, value, errors: dict):
    if value in (None, ""):
        return None
    row = model.objects.filter(**({"username": value} if model is User else {"name": value}))
    row = row.first()
    if row is None:
        errors[field] = _("Nothing called “%(name)s” was found.") % {"name": value}
    return row


def _users(names, errors: dict) -> list:
    found = []
    for name in names or []:
        user = named(User, "approvers", name, errors)
        if user is not None:
            found.append(user)
    return found


def perform(change, action: Action, *, actor, source: str, expected_version, values: dict):
    """Run the step `action` with the values it takes; returns what the action returns."""
    function, names = STEPS[action]
    given = {name: values.get(name) for name in names}
    errors = {}
    if action in TEXT_STEPS:
        kwargs = {"text": next(iter(given.values())) or ""}
    elif action == Action.ASSESS:
        kwargs = {"approvers": _users(given["approvers"], errors), "note": given["note"] or "",
                  "risk_answers": values.get("risk_answers")}
    elif action == Action.VOTE:
        kwargs = {"decision": given["vote"] or "", "comment": given["comment"] or ""}
    elif action == Action.SCHEDULE:
        kwargs = {**given, "implementer_team": named(Team, "implementer_team",
                                                     given["implementer_team"], errors),
                  "owner": named(User, "owner", given["owner"], errors)}
    elif action == Action.LINK_INCIDENT:
        kwargs = {"incident": _incident(actor, given["incident"], errors),
                  "relation": given["relation"] or ""}
    else:
        kwargs = {name: value for name, value in given.items() if value is not None}
        if action == Action.RECORD and values.get("risk_answers") is not None:
            kwargs["risk_answers"] = values["risk_answers"]
    if errors:
        raise Invalid(fields=errors)
    if action not in UNVERSIONED:
        kwargs["expected_version"] = expected_version
    return function(change, actor=actor, source=source, **kwargs)


def _incident(actor, number, errors: dict):
    try:
        return get_incident_for(actor, (number or "").strip().upper())
    except OpsDeskError as error:
        errors["incident"] = error.message
        return None
