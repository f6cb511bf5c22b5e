"""Closure (INC-15): automatic tickets close on resolution, user-reported ones
wait for the requester, a rejected resolution closes as unsuccessful and opens
a copy for the original handler."""

from datetime import UTC, datetime, timedelta

import pytest

from opsdesk.core.errors import Forbidden, Invalid, TransitionNotAllowed
from opsdesk.incidents import actions
from opsdesk.incidents.models import Incident

from .helpers import act, events, fresh, kinds, snapshot

NOW = datetime(2026, 11, 23, 2, tzinfo=UTC)


@pytest.mark.parametrize("channel", ["monitoring", "api"])
def test_automatic_tickets_close_on_resolution(desk, cast, channel):
    incident = desk.resolved(channel=channel, kind="alert")
    stored = fresh(incident)
    assert (stored.status, stored.closure_code, stored.closed_at) == ("closed", "successful", NOW)
    assert kinds(incident)[-2:] == ["resolved", "closed"]
    assert events(incident)[-1] == ("closed", "engineer_chen", "web",
                                    {"status": ["resolved", "closed"]})


@pytest.mark.parametrize("channel", ["phone", "email", "portal", "web", "chat", "fax"])
def test_user_reported_tickets_wait_for_the_requester(desk, cast, channel):
    incident = desk.resolved(channel=channel)
    assert fresh(incident).status == "resolved"
    before = snapshot()
    with pytest.raises(TransitionNotAllowed):
        act(actions.close, incident, cast.agent_li)
    assert snapshot() == before


def test_an_agent_records_the_requesters_confirmation(desk, cast, frozen):
    incident = desk.resolved()
    frozen.shift(timedelta(hours=1))
    incident = act(actions.confirm, incident, cast.agent_li, note="客户电话确认已恢复")
    stored = fresh(incident)
    assert (stored.status, stored.closure_code) == ("closed", "successful")
    assert stored.closed_at == NOW + timedelta(hours=1)
    assert events(incident)[-1] == ("confirmed", "agent_li", "web",
                                    {"status": ["resolved", "closed"]})


def test_the_requester_may_confirm_their_own_ticket(desk, cast):
    incident = act(actions.confirm, desk.resolved(), cast.requester_zhao)
    assert fresh(incident).status == "closed"


def test_another_requester_may_not(desk, cast):
    incident = desk.resolved()
    with pytest.raises(Forbidden):
        act(actions.confirm, incident, cast.outsider)


def test_resolved_tickets_return_to_the_desk_for_closure(desk, cast):
    incident = desk.resolved()
    with pytest.raises(Forbidden):
        act(actions.confirm, incident, cast.engineer_chen)


@pytest.mark.parametrize("channel", ["inspection", "referral"])
def test_staff_raised_tickets_are_closed_by_the_desk(desk, cast, channel):
    incident = desk.resolved(channel=channel)
    assert fresh(incident).status == "resolved"
    with pytest.raises(Forbidden):
        act(actions.close, incident, cast.engineer_chen)
    incident = act(actions.close, incident, cast.agent_li, note="巡检问题已处理")
    assert fresh(incident).status == "closed"
    assert events(incident)[-1][:2] == ("closed", "agent_li")


def test_a_rejection_closes_unsuccessful_and_copies_to_the_original_handler(desk, cast, frozen):
    original = desk.resolved(closure_code="workaround", title="VPN 无法连接",
                             description="出差员工无法连接VPN")
    frozen.shift(timedelta(hours=2))
    original, copy = act(actions.reject, original, cast.agent_li, reason="客户反馈仍无法连接")

    original, copy = fresh(original), fresh(copy)
    assert (original.status, original.closure_code) == ("closed", "unsuccessful")
    assert original.closed_at == NOW + timedelta(hours=2)
    assert copy.number == "INC-20261123-0002"
    assert (copy.status, copy.team, copy.assignee) == ("assigned", cast.l2, cast.engineer_chen)
    assert copy.assigned_at == copy.registered_at == NOW + timedelta(hours=2)
    assert copy.copied_from == original and original.copy == copy
    for field in ("title", "description", "kind", "channel", "requester", "customer", "ci",
                  "category", "impact", "urgency", "priority", "occurred_at", "is_vip"):
        assert getattr(copy, field) == getattr(original, field), field
    assert (copy.closure_code, copy.solution, copy.resolved_by) == ("", "", None)
    assert copy.version == 1 and copy.created_by == cast.agent_li

    assert not original.needs_problem and not copy.needs_problem
    assert events(original)[-1] == ("rejected", "agent_li", "web", {
        "status": ["resolved", "closed"], "closure_code": ["workaround", "unsuccessful"],
        "copy": [None, copy.number], "needs_problem": [True, False]})
    assert events(copy) == [("logged", "agent_li", "web", {
        "status": [None, "assigned"], "copied_from": [None, original.number],
        "team": [None, "二线系统组"], "assignee": [None, "陈伟"]})]


def test_the_copy_can_be_worked_and_closed(desk, cast):
    _, copy = act(actions.reject, desk.resolved(), cast.requester_zhao, reason="没解决")
    copy = desk.resolve(act(actions.accept, copy, cast.engineer_chen))
    copy = act(actions.confirm, copy, cast.requester_zhao)
    assert fresh(copy).status == "closed"


def test_a_copy_for_a_handler_who_left_goes_to_their_team(desk, cast):
    resolved = desk.resolved()
    cast.engineer_chen.is_active = False
    cast.engineer_chen.save()
    _, copy = act(actions.reject, resolved, cast.agent_li, reason="没解决")
    assert (copy.status, copy.team, copy.assignee) == ("assigned", cast.l2, None)


def test_a_copy_of_a_ticket_a_manager_resolved_goes_back_to_that_manager(cast):
    resolved = act(actions.resolve, cast.log(), cast.lead_wang, closure_code="successful",
                   solution="远程重启")
    _, copy = act(actions.reject, resolved, cast.agent_li, reason="没解决")
    copy = fresh(copy)
    assert (copy.team, copy.assignee, copy.status) == (None, cast.lead_wang, "assigned")
    assert act(actions.resolve, copy, cast.lead_wang, closure_code="successful",
               solution="更换网卡").status == "resolved"


def test_a_rejection_needs_a_reason(desk, cast):
    incident = desk.resolved()
    before = snapshot()
    with pytest.raises(Invalid) as raised:
        act(actions.reject, incident, cast.agent_li, reason=" ")
    assert set(raised.value.fields) == {"reason"}
    assert snapshot() == before
    assert Incident.objects.count() == 1
