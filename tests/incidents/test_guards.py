"""What every action refuses: a closed incident (never reopened), a stale
version (principle 5), and a caller the rules do not allow. Refusals write
nothing."""

import pytest

from opsdesk.core.errors import Forbidden, TransitionNotAllowed, VersionConflict
from opsdesk.core.models import TimelineEvent
from opsdesk.incidents import actions
from opsdesk.incidents.rules import IncidentClosed

from .helpers import act, fresh, snapshot


def calls(cast, master):
    """Every action with arguments that would be valid on an open incident."""
    return {
        "update": (actions.update_incident, {"changes": {"title": "新标题"}}),
        "comment": (actions.comment, {"body": "已电话联系客户", "public": True}),
        "assign": (actions.assign, {"team": cast.l3}),
        "accept": (actions.accept, {}),
        "pend": (actions.pend, {"waiting_on": "vendor", "reason": "等厂商"}),
        "resume": (actions.resume, {}),
        "resolve": (actions.resolve, {"closure_code": "successful", "solution": "已修复"}),
        "confirm": (actions.confirm, {}),
        "reject": (actions.reject, {"reason": "未解决"}),
        "close": (actions.close, {}),
        "link-duplicate": (actions.link_duplicate, {"master": master}),
        "override-priority": (actions.override_priority, {"priority": 2, "reason": "VIP"}),
    }


ACTIONS = ["update", "comment", "assign", "accept", "pend", "resume", "resolve", "confirm",
           "reject", "close", "link-duplicate", "override-priority"]


@pytest.mark.parametrize("name", ACTIONS)
@pytest.mark.parametrize("who", ["agent_li", "lead_wang", "requester_zhao"])
def test_a_closed_incident_refuses_every_action_and_writes_nothing(desk, cast, name, who):
    closed = desk.closed()
    action, kwargs = calls(cast, cast.log())[name]
    before = snapshot()
    with pytest.raises(IncidentClosed) as raised:
        act(action, closed, getattr(cast, who), **kwargs)
    assert raised.value.code == "incident_closed"
    assert snapshot() == before


@pytest.mark.parametrize("name", ["update", "assign", "override-priority", "link-duplicate"])
def test_a_closed_incident_wins_over_a_stale_version(desk, cast, name):
    closed = desk.closed()
    action, kwargs = calls(cast, cast.log())[name]
    with pytest.raises(IncidentClosed):
        act(action, closed, cast.lead_wang, expected_version=1, **kwargs)


def ready_for(desk, cast, name):
    """An open incident on which `name` is allowed."""
    if name in {"accept"}:
        return desk.assigned()
    if name == "resume":
        return desk.pending()
    if name in {"confirm", "reject"}:
        return desk.resolved()
    if name == "close":
        return desk.resolved(channel="inspection")
    return desk.in_progress()


@pytest.mark.parametrize("name", ACTIONS)
def test_a_stale_version_is_a_conflict_and_writes_nothing(desk, cast, name):
    incident = ready_for(desk, cast, name)
    action, kwargs = calls(cast, cast.log())[name]
    before = snapshot()
    with pytest.raises(VersionConflict) as raised:
        act(action, incident, cast.lead_wang, expected_version=incident.version - 1, **kwargs)
    assert (raised.value.code, raised.value.status) == ("version_conflict", 409)
    assert snapshot() == before


@pytest.mark.parametrize("name", ACTIONS)
def test_the_current_version_is_accepted_and_bumped(desk, cast, name):
    incident = ready_for(desk, cast, name)
    action, kwargs = calls(cast, cast.log())[name]
    result = act(action, incident, cast.lead_wang, **kwargs)
    result = result[0] if isinstance(result, tuple) else result
    expected = incident.version if name == "comment" else incident.version + 1
    assert fresh(result).version == expected


def test_the_loser_of_two_edits_from_one_version_is_told(desk, cast):
    incident = cast.log()
    seen_by_agent, seen_by_lead = fresh(incident), fresh(incident)
    act(actions.update_incident, seen_by_agent, cast.agent_li, changes={"title": "标题甲"})
    before = snapshot()
    with pytest.raises(VersionConflict):
        act(actions.update_incident, seen_by_lead, cast.lead_wang, changes={"title": "标题乙"})
    assert snapshot() == before
    assert fresh(incident).title == "标题甲"


@pytest.mark.parametrize(("name", "who", "error"), [
    ("update", "leader_ma", Forbidden),
    ("assign", "requester_zhao", Forbidden),
    ("resolve", "outsider", Forbidden),
    ("resolve", "l1_engineer_zhou", Forbidden),
    ("comment", "outsider", Forbidden),
    ("accept", "lead_wang", TransitionNotAllowed),
    ("confirm", "agent_li", TransitionNotAllowed),
])
def test_a_refused_caller_writes_nothing(desk, cast, name, who, error):
    incident = desk.in_progress()
    action, kwargs = calls(cast, cast.log())[name]
    before = snapshot()
    with pytest.raises(error):
        act(action, incident, getattr(cast, who), **kwargs)
    assert snapshot() == before


# The events each action appends: reject also logs the copy, a link also tells the master.
# A priority change also recalculates the SLA deadlines.
EVENTS_WRITTEN = {"reject": 2, "link-duplicate": 2, "override-priority": 2}


@pytest.mark.parametrize("name", ACTIONS)
def test_each_action_appends_exactly_its_events(desk, cast, name):
    incident = ready_for(desk, cast, name)
    action, kwargs = calls(cast, cast.log())[name]
    before = TimelineEvent.objects.count()
    act(action, incident, cast.lead_wang, **kwargs)
    new = TimelineEvent.objects.order_by("id")[before:]
    assert len(new) == EVENTS_WRITTEN.get(name, 1)
    assert {(event.actor, event.source) for event in new} == {(cast.lead_wang, "web")}
