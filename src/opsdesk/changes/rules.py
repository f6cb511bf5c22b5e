"""The change lifecycle (CHG-01…04) as plain data: which action may move a
change from which state, and who may take it. No database access.

Who does what follows the change-management manual: the change manager
(变更经理) assesses, convenes the CAB, schedules, reviews and closes; the
CAB members named on a change vote on it; whoever requested the change
drafts, submits and may withdraw it; the change owner and the implementer
team carry it out and record what happened. Requesters (customers) never
see changes. The change manager may act for a requester or implementer, but
never votes unless named on the CAB. Objects passed in only need
attributes: an actor has `pk`, `role`, `team_id`; a change has `state`,
`kind`, `requested_by_id`, `owner_id`, `implementer_team_id`,
`pending_approver_ids`, `record_due_at`, `recorded_at`.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from opsdesk.core.choices import Role
from opsdesk.core.errors import Forbidden, RecordClosed, TransitionNotAllowed

from .choices import FINAL_STATES, OPEN_STATES, Action, Kind, State


class ChangeClosed(RecordClosed):
    code = "change_closed"
    default_message = _("This change is closed and can no longer be changed.")


CHANGE_MANAGERS = frozenset({Role.CHANGE_MANAGER, Role.ADMIN})
STAFF = frozenset(Role) - {Role.REQUESTER}
# Who may carry out a change first and record it afterwards (CHG-04).
EMERGENCY_IMPLEMENTERS = CHANGE_MANAGERS | {Role.ENGINEER, Role.INCIDENT_MANAGER}


class Who:
    MANAGER = "manager"  # the change manager
    REQUESTER = "requester"  # who requested it (or the change manager)
    IMPLEMENTER = "implementer"  # the change owner, the implementer team (or the manager)
    CAB = "cab"  # a CAB member named on the change who has not voted yet
    STAFF = "staff"  # anyone who works in the console


@dataclass(frozen=True)
class Transition:
    sources: frozenset
    target: State | None  # None: the state does not change
    who: str


BEFORE_WORK = frozenset({State.DRAFT, State.SUBMITTED, State.ASSESSED, State.APPROVED,
                         State.SCHEDULED})
CARRIED_OUT = frozenset({State.IMPLEMENTED, State.FAILED, State.ROLLED_BACK})
TRANSITIONS: dict[Action, Transition] = {
    Action.SUBMIT: Transition(frozenset({State.DRAFT}), State.SUBMITTED, Who.REQUESTER),
    Action.ASSESS: Transition(frozenset({State.SUBMITTED}), State.ASSESSED, Who.MANAGER),
    Action.VOTE: Transition(frozenset({State.ASSESSED}), None, Who.CAB),
    Action.SCHEDULE: Transition(frozenset({State.APPROVED, State.SCHEDULED}), State.SCHEDULED,
                                Who.MANAGER),
    Action.START: Transition(frozenset({State.SCHEDULED}), State.IMPLEMENTING, Who.IMPLEMENTER),
    Action.COMPLETE: Transition(frozenset({State.IMPLEMENTING}), State.IMPLEMENTED,
                                Who.IMPLEMENTER),
    Action.FAIL: Transition(frozenset({State.IMPLEMENTING}), State.FAILED, Who.IMPLEMENTER),
    Action.ROLL_BACK: Transition(frozenset({State.IMPLEMENTING, State.FAILED}),
                                 State.ROLLED_BACK, Who.IMPLEMENTER),
    Action.REVIEW: Transition(CARRIED_OUT, State.REVIEWED, Who.MANAGER),
    Action.CLOSE: Transition(frozenset({State.REVIEWED, State.REJECTED}), State.CLOSED,
                             Who.MANAGER),
    Action.CANCEL: Transition(BEFORE_WORK, State.CANCELLED, Who.REQUESTER),
    Action.UPDATE: Transition(frozenset({State.DRAFT, State.SUBMITTED}), None, Who.REQUESTER),
    Action.RECORD: Transition(CARRIED_OUT | {State.IMPLEMENTING}, None, Who.IMPLEMENTER),
    Action.RAISE_INCIDENT: Transition(frozenset({State.FAILED, State.ROLLED_BACK}), None,
                                      Who.IMPLEMENTER),
    Action.LINK_INCIDENT: Transition(OPEN_STATES, None, Who.STAFF),
}


def may(who: str, actor, change) -> bool:
    if actor.role not in STAFF:
        return False
    if who == Who.CAB:
        return actor.pk in change.pending_approver_ids
    if who == Who.STAFF or actor.role in CHANGE_MANAGERS:
        return True
    if who == Who.REQUESTER:
        return change.requested_by_id == actor.pk
    if who == Who.IMPLEMENTER:
        return change.owner_id == actor.pk or (
            change.implementer_team_id is not None
            and change.implementer_team_id == actor.team_id)
    return False


WHO_MESSAGES = {
    Who.MANAGER: _("Only the change manager may do this."),
    Who.REQUESTER: _("Only whoever requested the change or the change manager may do this."),
    Who.IMPLEMENTER: _("Only the change owner, the implementer team or the change manager may "
                       "do this."),
    Who.CAB: _("Only a CAB member named on this change who has not voted yet may vote."),
    Who.STAFF: _("Your role may not do this."),
}


def _unrecorded(change) -> bool:
    return change.record_due_at is not None and change.recorded_at is None


def check(action: Action, change, actor) -> Transition:
    """Raise the error a user should see if `actor` may not take `action` now."""
    action = Action(action)
    transition = TRANSITIONS[action]
    if change.state in FINAL_STATES:
        raise ChangeClosed()
    if not may(transition.who, actor, change):
        raise Forbidden(WHO_MESSAGES[transition.who])
    if change.state not in transition.sources:
        raise TransitionNotAllowed(
            _("A change that is %(state)s cannot be changed by “%(action)s”.")
            % {"state": State(change.state).label, "action": action.label})
    if action == Action.RECORD and not _unrecorded(change):
        raise TransitionNotAllowed(_("Only an emergency change carried out first is recorded "
                                     "afterwards, once."))
    if action == Action.REVIEW and _unrecorded(change):
        raise TransitionNotAllowed(_("Record the emergency change before reviewing it."))
    return transition


def target(transition: Transition, action: Action, change) -> State | None:
    """Where `action` takes the change: a standard change is pre-approved by
    its template, so submitting it skips assessment and the CAB."""
    if action == Action.SUBMIT and change.kind == Kind.STANDARD:
        return State.APPROVED
    return transition.target


def allowed_actions(change, actor) -> list[Action]:
    allowed = []
    for action in TRANSITIONS:
        try:
            check(action, change, actor)
        except (Forbidden, TransitionNotAllowed, ChangeClosed):
            continue
        allowed.append(action)
    return allowed


def may_raise(actor) -> bool:
    return actor.role in STAFF


def may_log_emergency(actor) -> bool:
    return actor.role in EMERGENCY_IMPLEMENTERS


def may_see(actor) -> bool:
    return actor.role in STAFF
