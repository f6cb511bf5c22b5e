"""Dispatch, acceptance (接收), transfer between tiers and waiting (INC-08, INC-10)."""

from datetime import UTC, datetime, timedelta

import pytest

from opsdesk.core.errors import Forbidden, Invalid
from opsdesk.incidents import actions

from .helpers import act, events, fresh, snapshot

NOW = datetime(2026, 11, 23, 2, tzinfo=UTC)


def test_dispatching_to_a_team_records_who_where_and_when(cast):
    incident = act(actions.assign, cast.log(), cast.agent_li, team=cast.l2)
    stored = fresh(incident)
    assert (stored.status, stored.team, stored.assignee) == ("assigned", cast.l2, None)
    assert stored.assigned_at == NOW and stored.accepted_at is None
    assert stored.version == 2
    assert events(incident)[-1] == ("assigned", "agent_li", "web", {
        "team": [None, "二线系统组"], "assignee": [None, None], "tier": [None, "l2"]})


def test_the_first_dispatch_is_not_a_reassignment_but_each_later_change_is(cast, frozen):
    incident = act(actions.assign, cast.log(), cast.agent_li, team=cast.l1)
    assert incident.reassignment_count == 0
    incident = act(actions.assign, incident, cast.agent_li, team=cast.l2)
    assert incident.reassignment_count == 1
    incident = act(actions.assign, incident, cast.agent_li, team=cast.l2,
                   assignee=cast.engineer_chen)
    assert incident.reassignment_count == 2
    incident = act(actions.assign, incident, cast.lead_wang, team=cast.l2,
                   assignee=cast.l2_colleague_sun)
    assert fresh(incident).reassignment_count == 3


def test_accepting_a_team_ticket_makes_the_engineer_its_assignee(cast, frozen):
    incident = act(actions.assign, cast.log(), cast.agent_li, team=cast.l2)
    frozen.shift(timedelta(minutes=7))
    incident = act(actions.accept, incident, cast.engineer_chen)
    stored = fresh(incident)
    assert (stored.status, stored.assignee) == ("in_progress", cast.engineer_chen)
    assert stored.accepted_at == stored.first_accepted_at == NOW + timedelta(minutes=7)
    assert stored.reassignment_count == 0
    assert events(incident)[-1] == ("accepted", "engineer_chen", "web", {
        "status": ["assigned", "in_progress"], "assignee": [None, "陈伟"]})


def test_a_transfer_resets_acceptance_but_keeps_the_first_acceptance(cast, frozen):
    incident = act(actions.accept, act(actions.assign, cast.log(), cast.agent_li, team=cast.l2),
                   cast.engineer_chen)
    frozen.shift(timedelta(hours=1))
    incident = act(actions.assign, incident, cast.engineer_chen, team=cast.l3)
    stored = fresh(incident)
    assert (stored.status, stored.accepted_at, stored.first_accepted_at) == (
        "assigned", None, NOW)
    assert stored.assigned_at == NOW + timedelta(hours=1)
    assert events(incident)[-1][3]["tier"] == ["l2", "l3"]


def test_only_the_assignee_may_accept_a_personal_assignment(cast):
    incident = act(actions.assign, cast.log(), cast.agent_li, team=cast.l2,
                   assignee=cast.engineer_chen)
    before = snapshot()
    with pytest.raises(Forbidden):
        act(actions.accept, incident, cast.l2_colleague_sun)
    with pytest.raises(Forbidden):
        act(actions.accept, incident, cast.l1_engineer_zhou)
    assert snapshot() == before
    assert act(actions.accept, incident, cast.engineer_chen).status == "in_progress"


def test_handing_to_a_vendor_records_the_transfer_time_once(cast, frozen):
    incident = act(actions.assign, cast.log(), cast.agent_li, team=cast.l2)
    frozen.shift(timedelta(hours=2))
    incident = act(actions.assign, incident, cast.lead_wang, team=cast.vendor)
    assert fresh(incident).transferred_to_vendor_at == NOW + timedelta(hours=2)
    frozen.shift(timedelta(hours=1))
    incident = act(actions.assign, incident, cast.lead_wang, team=cast.l2)
    incident = act(actions.assign, incident, cast.lead_wang, team=cast.vendor)
    assert fresh(incident).transferred_to_vendor_at == NOW + timedelta(hours=2)


def test_no_vendor_no_transfer_time(cast):
    incident = act(actions.assign, cast.log(), cast.agent_li, team=cast.l3)
    assert fresh(incident).transferred_to_vendor_at is None


@pytest.mark.parametrize("who", ["outsider_team", "requester", "inactive"])
def test_the_assignee_must_be_an_active_handler_in_the_team(cast, who):
    assignee = {
        "outsider_team": cast.l1_engineer_zhou,
        "requester": cast.requester_zhao,
        "inactive": cast.engineer_chen,
    }[who]
    if who == "inactive":
        assignee.is_active = False
        assignee.save()
    incident = cast.log()
    before = snapshot()
    with pytest.raises(Invalid) as raised:
        act(actions.assign, incident, cast.agent_li, team=cast.l2, assignee=assignee)
    assert set(raised.value.fields) == {"assignee"}
    assert snapshot() == before


def test_assigning_again_to_the_same_place_is_refused(cast):
    incident = act(actions.assign, cast.log(), cast.agent_li, team=cast.l2)
    before = snapshot()
    with pytest.raises(Invalid) as raised:
        act(actions.assign, incident, cast.agent_li, team=cast.l2)
    assert set(raised.value.fields) == {"team"}
    assert snapshot() == before


def test_assigning_needs_a_team(cast):
    incident = cast.log()
    before = snapshot()
    with pytest.raises(Invalid) as raised:
        act(actions.assign, incident, cast.agent_li, team=None)
    assert set(raised.value.fields) == {"team"}
    assert snapshot() == before


def test_an_overlong_note_is_refused_not_truncated_or_ignored(cast):
    incident = cast.log()
    before = snapshot()
    with pytest.raises(Invalid) as raised:
        act(actions.assign, incident, cast.agent_li, team=cast.l2, note="很" * 5001)
    assert set(raised.value.fields) == {"note"}
    assert snapshot() == before


def test_waiting_on_the_requester_and_resuming(desk, cast):
    incident = act(actions.pend, desk.in_progress(), cast.engineer_chen, waiting_on="requester",
                   reason="请客户提供报错截图")
    stored = fresh(incident)
    assert (stored.status, stored.waiting_on) == ("pending", "requester")
    kind, actor, _, changes = events(incident)[-1]
    assert (kind, actor, changes) == ("pended", "engineer_chen", {
        "status": ["in_progress", "pending"], "waiting_on": [None, "requester"]})
    incident = act(actions.resume, incident, cast.engineer_chen, note="客户已提供截图")
    stored = fresh(incident)
    assert (stored.status, stored.waiting_on) == ("in_progress", "")
    assert events(incident)[-1] == ("resumed", "engineer_chen", "web", {
        "status": ["pending", "in_progress"], "waiting_on": ["requester", None]})


@pytest.mark.parametrize(("waiting_on", "reason", "fields"), [
    ("customer", "原因", {"waiting_on"}),
    ("vendor", "", {"reason"}),
    (None, None, {"waiting_on", "reason"}),
])
def test_pending_needs_whom_and_why(desk, cast, waiting_on, reason, fields):
    incident = desk.in_progress()
    before = snapshot()
    with pytest.raises(Invalid) as raised:
        act(actions.pend, incident, cast.engineer_chen, waiting_on=waiting_on, reason=reason)
    assert set(raised.value.fields) == fields
    assert snapshot() == before


def test_a_transfer_while_pending_clears_the_wait(desk, cast):
    incident = act(actions.assign, desk.pending(), cast.engineer_chen, team=cast.vendor)
    assert (fresh(incident).status, fresh(incident).waiting_on) == ("assigned", "")
