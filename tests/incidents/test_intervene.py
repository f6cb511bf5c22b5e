"""INC-13: an incident manager takes a ticket over."""

import pytest

from opsdesk.core.errors import Forbidden, Invalid
from opsdesk.incidents import actions

from .helpers import act, events, fresh, snapshot


def test_the_manager_becomes_the_assignee_and_the_team_stays(cast, desk):
    incident = desk.in_progress()
    incident = act(actions.intervene, incident, cast.lead_wang, note="客户投诉，我来跟进")
    incident = fresh(incident)
    assert (incident.assignee, incident.team) == (cast.lead_wang, cast.l2)
    assert incident.status == "in_progress"
    assert events(incident)[-1] == ("intervened", "lead_wang", "web",
                                    {"assignee": ["陈伟", "王芳"]})
    assert incident.version == 4


def test_intervening_is_not_a_reassignment(cast, desk):
    incident = desk.assigned()
    for team in (cast.l1, cast.l3, cast.l2):
        incident = act(actions.assign, incident, cast.agent_li, team=team)
    assert incident.reassignment_count == 3
    incident = act(actions.intervene, incident, cast.lead_wang)
    assert fresh(incident).reassignment_count == 3


def test_a_ticket_nobody_holds_keeps_no_team(cast):
    incident = act(actions.intervene, cast.log(), cast.lead_wang)
    assert (fresh(incident).assignee, fresh(incident).team) == (cast.lead_wang, None)


def test_only_managers_intervene_and_not_twice(cast, desk):
    incident = desk.in_progress()
    before = snapshot()
    for someone in (cast.agent_li, cast.engineer_chen, cast.leader_ma):
        with pytest.raises(Forbidden):
            act(actions.intervene, incident, someone)
    assert snapshot() == before
    incident = act(actions.intervene, incident, cast.lead_wang)
    with pytest.raises(Invalid):
        act(actions.intervene, incident, cast.lead_wang)
