"""The lifecycle rules, checked cell by cell against a table written here from
the issue and SPEC (INC-08, INC-15), not read from rules.TRANSITIONS."""

from itertools import product
from types import SimpleNamespace

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from opsdesk.core.errors import Forbidden, TransitionNotAllowed
from opsdesk.incidents import rules
from opsdesk.incidents.rules import IncidentClosed

STATUSES = ("new", "assigned", "in_progress", "pending", "resolved", "closed")
ROLES = ("admin", "agent", "engineer", "incident_manager", "problem_manager", "change_manager",
         "service_manager", "ops_director", "leadership", "requester")
CHANNELS = ("phone", "email", "portal", "web", "chat", "fax", "monitoring", "inspection",
            "referral", "api")

MANAGERS = {"incident_manager", "service_manager", "ops_director", "admin"}
WORKERS = MANAGERS | {"agent", "engineer"}
DESK = MANAGERS | {"agent"}
# Monitoring/system-transferred tickets and tickets our own staff raised need
# no requester confirmation; everything else a user reported does.
CLOSABLE_DIRECTLY = {"monitoring", "api", "inspection", "referral"}
UNRESOLVED = {"new", "assigned", "in_progress", "pending"}

# action: (from which statuses, which roles, handler only?, resulting status)
SPEC = {
    "update": (UNRESOLVED, WORKERS, False, None),
    "comment": (UNRESOLVED | {"resolved"}, set(ROLES), False, None),
    "assign": (UNRESOLVED, WORKERS, False, "assigned"),
    "accept": ({"assigned"}, WORKERS, True, "in_progress"),
    "pend": ({"in_progress"}, WORKERS, True, "pending"),
    "resume": ({"pending"}, WORKERS, True, "in_progress"),
    "resolve": ({"new", "assigned", "in_progress"}, WORKERS, True, "resolved"),
    "confirm": ({"resolved"}, DESK | {"requester"}, False, "closed"),
    "reject": ({"resolved"}, DESK | {"requester"}, False, "closed"),
    "close": ({"resolved"}, DESK, False, "closed"),
    "link-duplicate": (UNRESOLVED, WORKERS, False, None),
    "override-priority": (UNRESOLVED, WORKERS, False, None),
    # INC-13: only managers take a ticket over, and only while it is unresolved.
    "intervene": (UNRESOLVED, MANAGERS, False, None),
    # Seed 004 on-site KPI: once dispatched, until closure; which people of the
    # on-site team is rules.may_record_arrival (tests/incidents/test_onsite_arrival.py).
    "arrive": ((UNRESOLVED - {"new"}) | {"resolved"}, WORKERS, False, None),
}

ME, COLLEAGUE, STRANGER = 1, 2, 3
MY_TEAM, OTHER_TEAM = 10, 20
# Who holds the ticket, seen from the actor: (team, assignee, may a non-manager work it?)
HOLDERS = {
    "nobody yet": (None, None, True),
    "my team": (MY_TEAM, None, True),
    "me": (MY_TEAM, ME, True),
    "a colleague": (MY_TEAM, COLLEAGUE, False),
    "another team": (OTHER_TEAM, None, False),
    "someone in another team": (OTHER_TEAM, STRANGER, False),
}


def actor(role):
    return SimpleNamespace(pk=ME, role=role, team_id=MY_TEAM)


def incident(status, holder="nobody yet", channel="phone", requester=ME):
    team, assignee, _ = HOLDERS[holder]
    return SimpleNamespace(status=status, team_id=team, assignee_id=assignee,
                           requester_id=requester, channel=channel)


def expected_outcome(action, status, role, holder, own_ticket, channel):
    if status == "closed":
        return IncidentClosed
    sources, roles, handler_only, target = SPEC[action]
    if role not in roles or (role == "requester" and not own_ticket):
        return Forbidden
    if status not in sources:
        return TransitionNotAllowed
    if handler_only and role not in MANAGERS and not HOLDERS[holder][2]:
        return Forbidden
    if action == "close" and channel not in CLOSABLE_DIRECTLY:
        return TransitionNotAllowed
    return target


def outcome(action, ticket, who):
    try:
        transition = rules.check(action, ticket, who)
    except (Forbidden, TransitionNotAllowed, IncidentClosed) as error:
        return type(error)
    return None if transition.target is None else str(transition.target)


def test_the_table_covers_every_action_the_rules_know():
    assert {str(action) for action in rules.TRANSITIONS} == set(SPEC)


@pytest.mark.parametrize(("action", "role"), list(product(SPEC, ROLES)))
def test_every_cell_of_the_transition_table(action, role):
    wrong = []
    for status, holder, own, channel in product(STATUSES, HOLDERS, (True, False),
                                                ("phone", "monitoring", "inspection")):
        ticket = incident(status, holder, channel, requester=ME if own else STRANGER)
        want = expected_outcome(action, status, role, holder, own, channel)
        got = outcome(action, ticket, actor(role))
        if got != want:
            wrong.append((status, holder, "own" if own else "not own", channel, want, got))
    assert wrong == []


@pytest.mark.parametrize("channel", CHANNELS)
def test_only_automatic_and_staff_raised_tickets_are_closed_without_confirmation(channel):
    ticket = incident("resolved", channel=channel)
    if channel in CLOSABLE_DIRECTLY:
        assert rules.check("close", ticket, actor("agent")).target == "closed"
    else:
        with pytest.raises(TransitionNotAllowed):
            rules.check("close", ticket, actor("agent"))
    assert rules.check("confirm", ticket, actor("agent")).target == "closed"


def test_a_requester_may_not_touch_someone_elses_ticket():
    ticket = incident("resolved", requester=STRANGER)
    for action in ("comment", "confirm", "reject"):
        with pytest.raises(Forbidden):
            rules.check(action, ticket, actor("requester"))


@pytest.mark.parametrize("language, name", [("en", "Resolve"), ("zh-hans", "解决")])
def test_a_forbidden_role_is_told_which_action_it_may_not_take(language, name):
    with translation.override(language), pytest.raises(Forbidden) as raised:
        rules.check("resolve", incident("in_progress"), actor("leadership"))
    with translation.override(language):
        assert name in str(raised.value.message)


def test_errors_carry_the_api_codes():
    with pytest.raises(IncidentClosed) as closed:
        rules.check("comment", incident("closed"), actor("admin"))
    with pytest.raises(TransitionNotAllowed) as not_allowed:
        rules.check("accept", incident("new"), actor("admin"))
    assert (closed.value.code, closed.value.status) == ("incident_closed", 409)
    assert (not_allowed.value.code, not_allowed.value.status) == ("transition_not_allowed", 409)


actions_ = st.sampled_from(sorted(SPEC))
tickets = st.builds(incident, st.sampled_from(STATUSES), st.sampled_from(sorted(HOLDERS)),
                    st.sampled_from(CHANNELS), st.sampled_from((ME, STRANGER)))
actors = st.builds(actor, st.sampled_from(ROLES))


@given(actions_, tickets.map(lambda t: SimpleNamespace(**{**vars(t), "status": "closed"})),
       actors)
def test_a_closed_incident_refuses_every_action_to_everyone(action, ticket, who):
    with pytest.raises(IncidentClosed):
        rules.check(action, ticket, who)


@given(actions_, tickets, actors)
def test_check_returns_the_transition_or_one_of_three_errors(action, ticket, who):
    try:
        transition = rules.check(action, ticket, who)
    except (Forbidden, TransitionNotAllowed, IncidentClosed):
        return
    assert transition is rules.TRANSITIONS[action]
    assert ticket.status in transition.sources
    assert transition.target != "new", "nothing ever goes back to new"


@given(tickets, actors)
def test_allowed_actions_agree_with_check(ticket, who):
    allowed = {str(action) for action in rules.allowed_actions(ticket, who)}
    assert allowed == {action for action in SPEC if outcome(action, ticket, who) not in
                       (Forbidden, TransitionNotAllowed, IncidentClosed)}


@given(tickets)
def test_a_requester_can_only_comment_confirm_or_reject(ticket):
    allowed = {str(action) for action in rules.allowed_actions(ticket, actor("requester"))}
    assert allowed <= {"comment", "confirm", "reject"}


team_ids = st.one_of(st.none(), st.sampled_from((MY_TEAM, OTHER_TEAM)))
person_ids = st.one_of(st.none(), st.sampled_from((ME, COLLEAGUE, STRANGER)))


@given(team_ids, person_ids, st.sampled_from((MY_TEAM, OTHER_TEAM)), person_ids)
def test_a_reassignment_is_any_change_after_the_first_dispatch(team, person, new_team,
                                                               new_person):
    ticket = SimpleNamespace(team_id=team, assignee_id=person)
    counted = rules.reassignment_counts(ticket, new_team, new_person)
    first_dispatch = team is None and person is None
    assert counted == (not first_dispatch and (team, person) != (new_team, new_person))
