"""Every action × state × role of the change lifecycle, against a table
written from the change-management manual (CHG-01…04), not from rules.py."""

from types import SimpleNamespace

import pytest

from opsdesk.changes import rules
from opsdesk.changes.choices import Action, State
from opsdesk.changes.rules import ChangeClosed
from opsdesk.core.choices import Role
from opsdesk.core.errors import Forbidden, TransitionNotAllowed

REQUESTER, OWNER, TEAM, VOTER = 7, 8, 3, 9
BEFORE_WORK = {State.DRAFT, State.SUBMITTED, State.ASSESSED, State.APPROVED, State.SCHEDULED}
CARRIED_OUT = {State.IMPLEMENTED, State.FAILED, State.ROLLED_BACK}
SOURCES = {
    Action.SUBMIT: {State.DRAFT},
    Action.ASSESS: {State.SUBMITTED},
    Action.VOTE: {State.ASSESSED},
    Action.SCHEDULE: {State.APPROVED, State.SCHEDULED},
    Action.START: {State.SCHEDULED},
    Action.COMPLETE: {State.IMPLEMENTING},
    Action.FAIL: {State.IMPLEMENTING},
    Action.ROLL_BACK: {State.IMPLEMENTING, State.FAILED},
    Action.REVIEW: CARRIED_OUT,
    Action.CLOSE: {State.REVIEWED, State.REJECTED},
    Action.CANCEL: BEFORE_WORK,
    Action.UPDATE: {State.DRAFT, State.SUBMITTED},
    Action.RECORD: CARRIED_OUT | {State.IMPLEMENTING},
    Action.RAISE_INCIDENT: {State.FAILED, State.ROLLED_BACK},
    Action.LINK_INCIDENT: set(State) - {State.CLOSED, State.CANCELLED},
}
MANAGER_ONLY = {Action.ASSESS, Action.SCHEDULE, Action.REVIEW, Action.CLOSE}
REQUESTER_ACTIONS = {Action.SUBMIT, Action.CANCEL, Action.UPDATE}
IMPLEMENTER_ACTIONS = {Action.START, Action.COMPLETE, Action.FAIL, Action.ROLL_BACK,
                       Action.RECORD, Action.RAISE_INCIDENT}
ACTORS = {
    "change_manager": SimpleNamespace(pk=1, role=Role.CHANGE_MANAGER, team_id=None),
    "admin": SimpleNamespace(pk=2, role=Role.ADMIN, team_id=None),
    "requester_of_the_change": SimpleNamespace(pk=REQUESTER, role=Role.AGENT, team_id=1),
    "change_owner": SimpleNamespace(pk=OWNER, role=Role.ENGINEER, team_id=99),
    "implementer_team_member": SimpleNamespace(pk=10, role=Role.ENGINEER, team_id=TEAM),
    "cab_member": SimpleNamespace(pk=VOTER, role=Role.SERVICE_MANAGER, team_id=None),
    "other_engineer": SimpleNamespace(pk=11, role=Role.ENGINEER, team_id=98),
    "leadership": SimpleNamespace(pk=12, role=Role.LEADERSHIP, team_id=None),
    "customer_requester": SimpleNamespace(pk=13, role=Role.REQUESTER, team_id=None),
}
MANAGERS = {"change_manager", "admin"}


def expected(action: Action, actor: str) -> bool:
    if actor == "customer_requester":
        return False
    if action == Action.VOTE:
        return actor == "cab_member"
    if action == Action.LINK_INCIDENT or actor in MANAGERS:
        return True
    if action in REQUESTER_ACTIONS:
        return actor == "requester_of_the_change"
    if action in IMPLEMENTER_ACTIONS:
        return actor in {"change_owner", "implementer_team_member"}
    return False


def _change(state, *, unrecorded=False):
    return SimpleNamespace(
        state=state, kind="normal", requested_by_id=REQUESTER, owner_id=OWNER,
        implementer_team_id=TEAM,
        pending_approver_ids=frozenset({VOTER}),
        record_due_at="due" if unrecorded else None, recorded_at=None)


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("actor_name", list(ACTORS))
@pytest.mark.parametrize("action", list(Action))
def test_every_action_state_and_role(action, actor_name, state):
    # An emergency change awaiting its record, so that RECORD is possible and
    # REVIEW is not; the table's other rows do not depend on it.
    change = _change(state, unrecorded=action == Action.RECORD)
    actor = ACTORS[actor_name]
    if state in (State.CLOSED, State.CANCELLED):
        with pytest.raises(ChangeClosed):
            rules.check(action, change, actor)
    elif not expected(action, actor_name):
        with pytest.raises(Forbidden):
            rules.check(action, change, actor)
    elif state not in SOURCES[action]:
        with pytest.raises(TransitionNotAllowed):
            rules.check(action, change, actor)
    else:
        rules.check(action, change, actor)


def test_a_standard_change_goes_straight_to_approved_on_submit():
    change = SimpleNamespace(kind="standard")
    transition = rules.TRANSITIONS[Action.SUBMIT]
    assert rules.target(transition, Action.SUBMIT, change) == State.APPROVED
    assert rules.target(transition, Action.SUBMIT, SimpleNamespace(kind="normal")) == \
        State.SUBMITTED


def test_only_an_unrecorded_emergency_change_is_recorded_and_it_is_reviewed_after():
    manager = ACTORS["change_manager"]
    with pytest.raises(TransitionNotAllowed):
        rules.check(Action.RECORD, _change(State.IMPLEMENTED), manager)
    with pytest.raises(TransitionNotAllowed):
        rules.check(Action.REVIEW, _change(State.IMPLEMENTED, unrecorded=True), manager)
    rules.check(Action.REVIEW, _change(State.IMPLEMENTED), manager)


def test_the_manager_never_votes_unless_named():
    manager = ACTORS["change_manager"]
    change = _change(State.ASSESSED)
    with pytest.raises(Forbidden):
        rules.check(Action.VOTE, change, manager)
    change.pending_approver_ids = frozenset({manager.pk})
    rules.check(Action.VOTE, change, manager)


@pytest.mark.parametrize("role", list(Role))
def test_who_sees_raises_and_logs_emergency_changes(role):
    actor = SimpleNamespace(pk=1, role=role, team_id=None)
    staff = role != Role.REQUESTER
    assert rules.may_see(actor) is staff
    assert rules.may_raise(actor) is staff
    assert rules.may_log_emergency(actor) is (role in {
        Role.ENGINEER, Role.INCIDENT_MANAGER, Role.CHANGE_MANAGER, Role.ADMIN})
