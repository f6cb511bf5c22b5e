"""Every change to a change record goes through a function of this module
(CHG-01…05).

Each entry point runs in one durable transaction: it locks the row, checks
the rule (rules.check) and the caller's version, writes with update_fields,
appends a timeline event and queues its notifications in the outbox. Views,
the API, the worker and the demo call these.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from opsdesk.core import clock, outbox, timeline
from opsdesk.core.choices import Role
from opsdesk.core.errors import Forbidden, Invalid, RecordClosed, TransitionNotAllowed
from opsdesk.core.models import User
from opsdesk.incidents import actions as incident_actions
from opsdesk.incidents.actions._base import locked as locked_incident
from opsdesk.incidents.choices import Channel
from opsdesk.incidents.choices import Kind as IncidentKind
from opsdesk.incidents.validation import optional_text, required_text
from opsdesk.problems import actions as problem_actions
from opsdesk.problems import rules as problem_rules
from opsdesk.problems.choices import Action as ProblemAction
from opsdesk.problems.choices import State as ProblemState

from . import cab, conflicts, records, risk, rules
from .choices import Action, Kind, Outcome, Relation, State, Vote
from .models import BlackoutWindow, Change, ChangeApproval, StandardChange
from .records import clean_text, clean_window, locked, raise_if, require, save

# The seed's 紧急事件: an incident of priority 紧急 (P1).
URGENT_PRIORITY = 1
# An emergency change logged during an incident is expected to take this long
# unless the implementer says otherwise; the record corrects it.
EMERGENCY_WINDOW = timedelta(hours=1)
# What must be filled in before a change goes to the change manager.
SUBMIT_REQUIRES = ("reason", "implementation_plan", "rollback_plan", "planned_start",
                   "risk_level")
EDITABLE_TEXT = ("title", "reason", "description", "implementation_plan", "rollback_plan",
                 "test_plan")


def _scope(change: Change, cis, services) -> None:
    if cis is not None:
        change.cis.set(cis)
    if services is not None:
        change.services.set(services)


def _template_values(template: StandardChange | None, kind: str, errors: dict) -> dict:
    if kind == Kind.STANDARD and template is None:
        errors["template"] = _("A standard change is raised from a standard change template.")
    elif template is not None and kind != Kind.STANDARD:
        errors["template"] = _("Only a standard change comes from a template.")
    elif template is not None and not template.active:
        errors["template"] = _("This template is no longer in use.")
    if template is None or errors.get("template"):
        return {}
    return {"description": template.description,
            "implementation_plan": template.implementation_plan,
            "rollback_plan": template.rollback_plan, "test_plan": template.test_plan}


@transaction.atomic(durable=True)
def create_change(*, actor, source: str, kind: str, title: str, reason: str = "",
                  description: str = "", implementation_plan: str = "",
                  rollback_plan: str = "", test_plan: str = "", cis=(), services=(),
                  planned_start=None, planned_end=None, risk_answers=None, owner=None,
                  implementer_team=None, customer=None, template=None,
                  problem=None, and_submit: bool = False) -> Change:
    """Draft an RFC (and, with `and_submit`, submit it in the same
    transaction). From a standard template its plans are copied and the
    risk is the template's (lowest) unless answered; raised for a problem
    whose solution is identified, the problem moves to "change requested"
    pointing at it when the actor may take that step."""
    if not rules.may_raise(actor):
        raise Forbidden(rules.WHO_MESSAGES[rules.Who.STAFF])
    errors = {}
    if kind not in Kind.values:
        errors["kind"] = _("Choose one of: %(options)s.") % {"options": ", ".join(Kind.values)}
    defaults = _template_values(template, kind, errors)
    texts = {"title": title, "reason": reason, "description": description,
             "implementation_plan": implementation_plan, "rollback_plan": rollback_plan,
             "test_plan": test_plan}
    fields = clean_text({name: value or defaults.get(name, "") for name, value in texts.items()},
                        errors)
    start, end = clean_window(planned_start, planned_end, errors)
    if risk_answers is None and kind == Kind.STANDARD:
        risk_answers = risk.LOWEST
    fields.update(records.risk_fields(risk_answers, errors) if risk_answers is not None
                  else {})
    raise_if(errors)
    now = clock.now()
    change = Change.objects.create(
        **fields, kind=kind, template=template, planned_start=start, planned_end=end,
        requested_by=actor, owner=owner,
        implementer_team=implementer_team or (template.implementer_team if template else None),
        customer=customer, problem=problem, created_at=now, updated_at=now,
        number=records.number_for(now))
    _scope(change, cis, services)
    timeline.record(change, actor=actor, source=source, kind="logged", changes={
        "state": [None, State.DRAFT], "kind": [None, kind],
        **({"template": [None, template.name]} if template else {}),
        **({"problem": [None, problem.number]} if problem else {})})
    if problem is not None:
        _request_change_for(problem, change, actor=actor, source=source)
    if and_submit:
        change = _submit(change, actor=actor, source=source, expected_version=None)
    return change


def _request_change_for(problem, change: Change, *, actor, source: str) -> None:
    timeline.record(problem, actor=actor, source=source, kind="change_raised",
                    changes={"change": [None, change.number]})
    if problem.state != ProblemState.SOLUTION_IDENTIFIED:
        return
    try:
        problem_rules.check(ProblemAction.REQUEST_CHANGE, problem, actor)
    except (Forbidden, TransitionNotAllowed, RecordClosed):
        return
    problem_actions.request_change.__wrapped__(problem, actor=actor, source=source,
                                               expected_version=None,
                                               change_reference=change.number)


@transaction.atomic(durable=True)
def update_change(change: Change, *, actor, source: str, expected_version: int | None,
                  changes: dict) -> Change:
    """Edit a draft or submitted RFC: its texts, window, scope and risk answers."""
    change = locked(change, expected_version)
    rules.check(Action.UPDATE, change, actor)
    allowed = {*EDITABLE_TEXT, "planned_start", "planned_end", "cis", "services",
               "risk_answers", "owner", "implementer_team", "customer"}
    unknown = set(changes) - allowed
    if unknown:
        raise Invalid(fields={name: _("This field cannot be edited.") for name in unknown})
    errors = {}
    values = clean_text({k: v for k, v in changes.items() if k in EDITABLE_TEXT}, errors)
    if "planned_start" in changes or "planned_end" in changes:
        values["planned_start"], values["planned_end"] = clean_window(
            changes.get("planned_start", change.planned_start),
            changes.get("planned_end", change.planned_end), errors)
    if "risk_answers" in changes:
        values.update(records.risk_fields(changes["risk_answers"], errors))
    raise_if(errors)
    values.update({k: changes[k] for k in ("owner", "implementer_team", "customer")
                   if k in changes})
    diff = {}
    for name, value in values.items():
        old = getattr(change, name)
        if old != value:
            diff[name] = [_label(old), _label(value)]
            setattr(change, name, value)
    _scope(change, changes.get("cis"), changes.get("services"))
    for name in ("cis", "services"):
        if name in changes:
            diff[name] = [None, [str(item) for item in changes[name]]]
    save(change, [name for name in diff if name not in ("cis", "services")])
    timeline.record(change, actor=actor, source=source, kind="updated", changes=diff)
    return change


def _label(value):
    if value is None or isinstance(value, str | int | dict):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _move(change: Change, action: Action, *, actor, source: str, expected_version,
          fields: dict | None = None, note: str = "", stamp: str | None = None,
          require_fields: tuple = ()) -> Change:
    """Check, fill in `fields`, require what the step needs, move on, record."""
    change = locked(change, expected_version)
    transition = rules.check(action, change, actor)
    errors = {}
    cleaned = clean_text(fields or {}, errors)
    for name, value in cleaned.items():
        setattr(change, name, value)
    require(change, require_fields, errors)
    raise_if(errors)
    old_state = change.state
    change.state = rules.target(transition, action, change) or change.state
    written = [*cleaned, "state"]
    if stamp and getattr(change, stamp) is None:
        setattr(change, stamp, clock.now())
        written.append(stamp)
    save(change, written)
    timeline.record(change, actor=actor, source=source, kind=action.value, note=note,
                    changes={"state": [old_state, change.state]} if old_state != change.state
                    else {})
    return change


@transaction.atomic(durable=True)
def submit(change: Change, *, actor, source: str, expected_version: int | None) -> Change:
    """Send the RFC to the change manager; a standard change is approved by
    its template at once."""
    return _submit(change, actor=actor, source=source, expected_version=expected_version)


def _submit(change: Change, *, actor, source: str, expected_version: int | None) -> Change:
    current = locked(change, expected_version)
    rules.check(Action.SUBMIT, current, actor)
    errors = {}
    require(current, SUBMIT_REQUIRES, errors)
    if "planned_start" in errors:
        errors["planned_start"] = _("Give the window's start and end.")
    if "risk_level" in errors:
        errors["risk"] = errors.pop("risk_level")
    records.scope_required(current, errors)
    raise_if(errors)
    current = _move(current, Action.SUBMIT, actor=actor, source=source, expected_version=None,
                    stamp="submitted_at")
    if current.state == State.APPROVED:
        current.decided_at = clock.now()
        current.save(update_fields=["decided_at"])
        timeline.record(current, actor=None, source="system", kind="pre_approved",
                        changes={"template": [None, current.template.name]})
    return current


@transaction.atomic(durable=True)
def assess(change: Change, *, actor, source: str, expected_version: int | None, approvers,
           risk_answers=None, note: str = "") -> Change:
    """The change manager confirms the risk and convenes the CAB: the members
    named vote, and `OPSDESK_CAB_QUORUM` approvals are needed."""
    current = locked(change, expected_version)
    rules.check(Action.ASSESS, current, actor)
    errors = {}
    quorum = settings.OPSDESK_CAB_QUORUM
    approvers = list(dict.fromkeys(approvers or []))
    unfit = [user for user in approvers if not user.is_active or not rules.may_see(user)]
    if unfit:
        errors["approvers"] = _("%(user)s cannot sit on the CAB.") % {"user": unfit[0]}
    elif len(approvers) < quorum:
        errors["approvers"] = _("Name at least %(n)d CAB members.") % {"n": quorum}
    revised = records.risk_fields(risk_answers, errors) if risk_answers is not None else {}
    note = optional_text(note, "note", 5000, errors)
    raise_if(errors)
    for name, value in revised.items():
        setattr(current, name, value)
    current.quorum = quorum
    save(current, [*revised, "quorum"])
    ChangeApproval.objects.bulk_create(
        [ChangeApproval(change=current, approver=user) for user in approvers])
    current = _move(current, Action.ASSESS, actor=actor, source=source, expected_version=None,
                    note=note)
    timeline.record(current, actor=actor, source=source, kind="cab_convened", changes={
        "approvers": [None, [str(user) for user in approvers]], "quorum": [None, quorum],
        "risk_level": [None, current.risk_level]})
    outbox.enqueue(current, event="change_vote_needed", recipients=approvers, actor=actor,
                   context={"change": current, "quorum": quorum,
                            "conflicts": conflicts.conflicts_for(current)})
    return current


@transaction.atomic(durable=True)
def vote(change: Change, *, actor, source: str, decision: str, comment: str = "") -> Change:
    """A CAB member votes; a rejection says why. The quorum rule (cab.py)
    decides the change as soon as it can, and the requester is told."""
    current = locked(change, None)
    rules.check(Action.VOTE, current, actor)
    errors = {}
    if decision not in Vote.values:
        errors["vote"] = _("Choose one of: %(options)s.") % {"options": ", ".join(Vote.values)}
    comment = (required_text if decision == Vote.REJECT else optional_text)(
        comment, "comment", 5000, errors)
    raise_if(errors)
    seat = ChangeApproval.objects.get(change=current, approver=actor)
    seat.vote, seat.comment, seat.voted_at = decision, comment, clock.now()
    seat.save(update_fields=["vote", "comment", "voted_at"])
    timeline.record(current, actor=actor, source=source, kind="voted", note=comment,
                    changes={"vote": [None, decision]})
    ballots = [cab.Ballot(role, vote) for role, vote in
               current.approvals.values_list("approver__role", "vote")]
    decided = cab.outcome(ballots, current.quorum or settings.OPSDESK_CAB_QUORUM)
    if decided is None:
        save(current, [])
        return current
    current.state, current.decided_at = decided, clock.now()
    save(current, ["state", "decided_at"])
    timeline.record(current, actor=None, source="system", kind="cab_decided",
                    changes={"state": [State.ASSESSED, decided]})
    outbox.enqueue(current, event="change_decided", recipients=[current.requested_by],
                   actor=actor, context={"change": current, "approved":
                                         decided == State.APPROVED,
                                         "votes": list(current.approvals
                                                       .select_related("approver"))})
    return current


@transaction.atomic(durable=True)
def schedule(change: Change, *, actor, source: str, expected_version: int | None,
             planned_start=None, planned_end=None, implementer_team=None,
             owner=None) -> Change:
    """Put an approved change on the calendar, in its window (or a new one).
    Only an emergency change may fall in a blackout window; overlapping
    changes are warned about on the change page, not refused."""
    current = locked(change, expected_version)
    rules.check(Action.SCHEDULE, current, actor)
    errors = {}
    start, end = clean_window(planned_start or current.planned_start,
                              planned_end or current.planned_end, errors, required=True)
    team = implementer_team or current.implementer_team
    person = owner or current.owner
    if team is None and person is None:
        errors["implementer_team"] = _("Name the implementer team or the change owner.")
    raise_if(errors)
    footprint = conflicts.Footprint(start, end, frozenset(current.cis.values_list("pk", flat=True)),
                                    frozenset(current.services.values_list("pk", flat=True)))
    blackouts = [c for c in conflicts.conflicts_for(current, footprint)
                 if c.kind == conflicts.BLACKOUT]
    if blackouts and current.kind != Kind.EMERGENCY:
        raise Invalid(fields={"planned_start": blackouts[0].message})
    old = {"planned_start": current.planned_start, "planned_end": current.planned_end}
    current.planned_start, current.planned_end = start, end
    current.implementer_team, current.owner = team, person
    save(current, ["planned_start", "planned_end", "implementer_team", "owner"])
    current = _move(current, Action.SCHEDULE, actor=actor, source=source,
                    expected_version=None)
    timeline.record(current, actor=actor, source=source, kind="window", changes={
        name: [_label(old[name]), _label(getattr(current, name))] for name in old})
    return current


def _step(action: Action, *, stamp: str | None = None, required: tuple = (),
          text_field: str | None = None):
    """A public action for a step that may take one text (a note, or a field)."""

    @transaction.atomic(durable=True)
    def step(change: Change, *, actor, source: str, expected_version: int | None,
             text: str = "") -> Change:
        fields = {text_field: text} if text_field else {}
        note = "" if text_field else _clean_note(text)
        return _move(change, action, actor=actor, source=source,
                     expected_version=expected_version, fields=fields, note=note,
                     stamp=stamp, require_fields=required)

    step.__name__ = step.__qualname__ = action.value.replace("-", "_")
    step.__doc__ = f"{action.label} (CHG-03)."
    return step


def _clean_note(text) -> str:
    errors = {}
    note = optional_text(text, "note", 5000, errors)
    raise_if(errors)
    return note


start = _step(Action.START, stamp="started_at")
review = _step(Action.REVIEW, stamp="reviewed_at", required=("review_notes",),
               text_field="review_notes")
close = _step(Action.CLOSE, stamp="closed_at")


def _finish(action: Action, outcome: Outcome, *, required: bool):
    """Complete, fail, roll back: record what happened and the outcome."""

    @transaction.atomic(durable=True)
    def finish(change: Change, *, actor, source: str, expected_version: int | None,
               text: str = "") -> Change:
        current = locked(change, expected_version)
        rules.check(action, current, actor)
        errors = {}
        notes = (required_text if required else optional_text)(
            text, "implementation_notes", 20000, errors)
        raise_if(errors)
        if notes:
            stamp = clock.now().strftime("%Y-%m-%d %H:%M")
            current.implementation_notes = "\n\n".join(filter(None, [
                current.implementation_notes, f"[{stamp}] {notes}"]))
        current.outcome = outcome
        fields = ["implementation_notes", "outcome"]
        if current.finished_at is None:
            current.finished_at = clock.now()
            fields.append("finished_at")
        save(current, fields)
        return _move(current, action, actor=actor, source=source, expected_version=None,
                     note=notes)

    finish.__name__ = finish.__qualname__ = action.value.replace("-", "_")
    finish.__doc__ = f"{action.label} (CHG-03)."
    return finish


complete = _finish(Action.COMPLETE, Outcome.IMPLEMENTED, required=False)
fail = _finish(Action.FAIL, Outcome.FAILED, required=True)
roll_back = _finish(Action.ROLL_BACK, Outcome.ROLLED_BACK, required=True)


@transaction.atomic(durable=True)
def cancel(change: Change, *, actor, source: str, expected_version: int | None,
           text: str = "") -> Change:
    """Withdraw a change before work starts, saying why."""
    errors = {}
    reason = required_text(text, "reason", 5000, errors)
    raise_if(errors)
    return _move(change, Action.CANCEL, actor=actor, source=source,
                 expected_version=expected_version, note=reason, stamp="closed_at")


# Emergency changes and incidents (CHG-04, INC-17) -----------------------------


@transaction.atomic(durable=True)
def log_emergency_change(*, actor, source: str, incident, title: str, description: str = "",
                         cis=(), services=(), planned_end=None) -> Change:
    """During an urgent (P1) incident: the change is carried out first, so it
    starts out implementing, linked to the incident, and must be recorded
    (补录) within OPSDESK_EMERGENCY_RECORD_HOURS."""
    if not rules.may_log_emergency(actor):
        raise Forbidden(_("Only engineers and managers carry out emergency changes."))
    incident = locked_incident(incident, None)
    errors = {}
    if incident.priority != URGENT_PRIORITY:
        errors["incident"] = _("An emergency change is carried out first only for an urgent "
                               "(P1) incident; raise a normal RFC instead.")
    fields = clean_text({"title": title, "description": description}, errors)
    now = clock.now()
    start, end = clean_window(now, planned_end or now + EMERGENCY_WINDOW, errors)
    raise_if(errors)
    change = Change.objects.create(
        **fields, kind=Kind.EMERGENCY, state=State.IMPLEMENTING, planned_start=start,
        planned_end=end, requested_by=actor, owner=actor, implementer_team=actor.team,
        customer=incident.customer, started_at=now, submitted_at=now, created_at=now,
        updated_at=now, number=records.number_for(now),
        record_due_at=now + timedelta(hours=settings.OPSDESK_EMERGENCY_RECORD_HOURS))
    _scope(change, list(cis) or ([incident.ci] if incident.ci else []),
           list(services) or ([incident.service] if incident.service else []))
    timeline.record(change, actor=actor, source=source, kind="emergency_logged", changes={
        "state": [None, State.IMPLEMENTING], "kind": [None, Kind.EMERGENCY],
        "record_due_at": [None, change.record_due_at.isoformat()]})
    records.link(change, incident, actor=actor, source=source, relation=Relation.EMERGENCY_FOR)
    return change


@transaction.atomic(durable=True)
def record_emergency(change: Change, *, actor, source: str, expected_version: int | None,
                     reason: str = "", implementation_plan: str = "",
                     rollback_plan: str = "", test_plan: str = "",
                     description: str | None = None, risk_answers=None, cis=None,
                     services=None) -> Change:
    """Record (补录) an emergency change carried out first: why, what was
    done, how it would be undone, and its risk. Late records say so."""
    current = locked(change, expected_version)
    rules.check(Action.RECORD, current, actor)
    errors = {}
    texts = {"reason": reason, "implementation_plan": implementation_plan,
             "rollback_plan": rollback_plan, "test_plan": test_plan}
    if description is not None:
        texts["description"] = description
    values = clean_text(texts, errors)
    for name in ("reason", "implementation_plan", "rollback_plan"):
        if not values.get(name) and name not in errors:
            errors[name] = _("This field is required.")
    values.update(records.risk_fields(risk_answers, errors) if risk_answers is not None
                  else {})
    raise_if(errors)
    for name, value in values.items():
        setattr(current, name, value)
    now = clock.now()
    current.recorded_at = now
    _scope(current, cis, services)
    save(current, [*values, "recorded_at"])
    timeline.record(current, actor=actor, source=source, kind="emergency_recorded",
                    changes={"recorded_at": [None, now.isoformat()],
                             "late": [None, now > current.record_due_at]})
    return current


@transaction.atomic(durable=True)
def raise_incident(change: Change, *, actor, source: str, title: str = "",
                   description: str = "", impact: str = "high", urgency: str = "high"):
    """A failed (or rolled back) change raises an incident, logged through the
    incident actions and linked to the change as caused by it (CHG-03)."""
    current = locked(change, None)
    rules.check(Action.RAISE_INCIDENT, current, actor)
    ci = current.cis.order_by("pk").first()
    service = current.services.order_by("pk").first() or (ci.service if ci else None)
    with translation.override(settings.LANGUAGE_CODE):
        title = title or _("Change %(number)s failed: %(title)s") % {
            "number": current.number, "title": current.title}
    incident = incident_actions.log_incident.__wrapped__(
        actor=actor, source=source, kind=IncidentKind.FAULT, channel=Channel.REFERRAL,
        impact=impact, urgency=urgency, title=title[:200],
        description=description or current.implementation_notes,
        ci=ci, service=service, customer=current.customer)
    records.link(current, incident, actor=actor, source=source, relation=Relation.CAUSED_BY)
    save(current, [])
    return incident


@transaction.atomic(durable=True)
def link_incident(change: Change, *, actor, source: str, incident, relation: str) -> Change:
    """Link an incident: caused by the change, emergency change for it, or
    fixed by it."""
    current = locked(change, None)
    rules.check(Action.LINK_INCIDENT, current, actor)
    if relation not in Relation.values:
        raise Invalid(fields={"relation": _("Choose one of: %(options)s.") % {
            "options": ", ".join(Relation.values)}})
    if not records.link(current, incident, actor=actor, source=source, relation=relation):
        raise Invalid(fields={"incident": _("%(number)s is linked already.") % {
            "number": incident.number}})
    save(current, [])
    return current


def change_managers():
    return User.objects.filter(role=Role.CHANGE_MANAGER, is_active=True).order_by("pk")


def remind_unrecorded(change: Change) -> bool:
    """Within the worker's transaction: tell the change managers, once, that
    an emergency change was not recorded in time. False if nothing to do."""
    current = Change.objects.select_for_update().get(pk=change.pk)
    if current.reminded_at is not None or not current.is_unrecorded_emergency \
            or current.record_due_at > clock.now():
        return False
    current.reminded_at = clock.now()
    current.save(update_fields=["reminded_at"])
    managers = list(change_managers())
    timeline.record(current, actor=None, source="system", kind="unrecorded_reminder",
                    changes={"notified": [None, [str(user) for user in managers]]})
    outbox.enqueue(current, event="change_unrecorded", recipients=managers,
                   context={"change": current})
    return True


# Blackout windows -------------------------------------------------------------


def _blackout_manager(actor) -> None:
    if actor.role not in rules.CHANGE_MANAGERS:
        raise Forbidden(rules.WHO_MESSAGES[rules.Who.MANAGER])


@transaction.atomic(durable=True)
def create_blackout(*, actor, source: str, name: str, start, end, reason: str = "",
                    cis=(), services=()) -> BlackoutWindow:
    """A period in which no normal or standard change may be scheduled: for
    everything, or only the items and services named."""
    _blackout_manager(actor)
    errors = {}
    name = required_text(name, "name", 200, errors)
    reason = optional_text(reason, "reason", 5000, errors)
    clean_window(start, end, errors, required=True)
    errors = {{"planned_start": "start", "planned_end": "end"}.get(k, k): v
              for k, v in errors.items()}
    raise_if(errors)
    blackout = BlackoutWindow.objects.create(name=name, reason=reason, start=start, end=end,
                                             created_by=actor, created_at=clock.now())
    blackout.cis.set(cis)
    blackout.services.set(services)
    timeline.record(blackout, actor=actor, source=source, kind="logged", changes={
        "start": [None, start.isoformat()], "end": [None, end.isoformat()]})
    return blackout


@transaction.atomic(durable=True)
def delete_blackout(blackout: BlackoutWindow, *, actor, source: str) -> None:
    _blackout_manager(actor)
    timeline.record(blackout, actor=actor, source=source, kind="deleted",
                    changes={"name": [blackout.name, None]})
    blackout.delete()
