"""Priority (INC-05, INC-06): the seed-004 matrix, recomputation on every
impact/urgency change, and the audited manual override."""

import pytest

from opsdesk.core import timeline
from opsdesk.core.errors import Invalid
from opsdesk.incidents import actions
from opsdesk.sla.models import PriorityCell
from opsdesk.sla.priority import SEED_004_MATRIX, IncompleteMatrix, priority_for

from .helpers import act, events, fresh, kinds, snapshot

# Seed 004 §5.3 as printed: urgency rows, impact columns.
SEED_004_TABLE = """
        高  中  低
紧急    1   2   3
高      2   3   3
中      3   4   4
低      3   4   4
"""
IMPACTS = {"高": "high", "中": "medium", "低": "low"}
URGENCIES = {"紧急": "critical", "高": "high", "中": "medium", "低": "low"}


def seed_cells() -> dict[tuple[str, str], int]:
    header, *rows = SEED_004_TABLE.strip().splitlines()
    impacts = [IMPACTS[word] for word in header.split()]
    cells = {}
    for row in rows:
        urgency, *priorities = row.split()
        for impact, priority in zip(impacts, priorities, strict=True):
            cells[(impact, URGENCIES[urgency])] = int(priority)
    return cells


CELLS = sorted(seed_cells().items())


def test_the_default_matrix_is_seed_004():
    assert len(CELLS) == 12
    assert dict(SEED_004_MATRIX) == dict(CELLS)


@pytest.mark.django_db
def test_the_database_is_seeded_with_seed_004():
    stored = {(c.impact, c.urgency): c.priority for c in PriorityCell.objects.all()}
    assert stored == dict(CELLS)


@pytest.mark.parametrize(("cell", "priority"), CELLS, ids=[f"{i}-{u}" for (i, u), _ in CELLS])
def test_a_logged_incident_gets_the_priority_of_its_cell(cast, cell, priority):
    impact, urgency = cell
    incident = cast.log(impact=impact, urgency=urgency)
    assert (incident.matrix_priority, incident.priority) == (priority, priority)
    assert fresh(incident).priority == priority


def test_an_edited_matrix_cell_applies_to_the_next_incident(cast):
    PriorityCell.objects.filter(impact="low", urgency="low").update(priority=2)
    assert cast.log(impact="low", urgency="low").priority == 2


def test_a_missing_cell_is_a_configuration_error_not_a_guess():
    with pytest.raises(IncompleteMatrix):
        priority_for({("high", "critical"): 1}, "low", "low")


def test_changing_impact_recomputes_the_priority_and_records_it(cast):
    incident = cast.log(impact="medium", urgency="high")  # P3
    incident = act(actions.update_incident, incident, cast.agent_li,
                   changes={"impact": "high", "urgency": "critical"})
    assert (incident.matrix_priority, incident.priority) == (1, 1)
    assert fresh(incident).priority == 1
    kind, actor, source, changes = events(incident)[-3]
    assert (kind, actor, source) == ("updated", "agent_li", "web")
    assert kinds(incident)[-2:] == ["sla_recalculated", "escalated"]
    assert changes["priority"] == [3, 1]
    assert changes["matrix_priority"] == [3, 1]
    assert changes["impact"] == ["medium", "high"]


def test_changing_urgency_alone_recomputes_too(cast):
    incident = cast.log(impact="low", urgency="critical")  # P3
    incident = act(actions.update_incident, incident, cast.agent_li, changes={"urgency": "low"})
    assert incident.priority == 4


def test_an_override_is_reasoned_and_audited(cast):
    incident = cast.log(impact="medium", urgency="high")
    incident = act(actions.override_priority, incident, cast.lead_wang, priority=1,
                   reason="涉及交易系统，客户为VIP")
    stored = fresh(incident)
    assert (stored.priority, stored.priority_override, stored.matrix_priority) == (1, 1, 3)
    assert stored.priority_override_by == cast.lead_wang
    assert stored.priority_override_reason == "涉及交易系统，客户为VIP"
    assert stored.priority_override_at is not None
    kind, actor, _, changes = events(incident)[-3]
    assert (kind, actor) == ("priority_overridden", "lead_wang")
    assert kinds(incident)[-2:] == ["sla_recalculated", "escalated"]
    assert changes["priority"] == [3, 1]


def test_an_override_survives_impact_changes_and_the_timeline_says_so(cast):
    incident = cast.log(impact="medium", urgency="high")
    incident = act(actions.override_priority, incident, cast.lead_wang, priority=1,
                   reason="重大事件")
    incident = act(actions.update_incident, incident, cast.agent_li,
                   changes={"impact": "low", "urgency": "low"})
    assert (incident.matrix_priority, incident.priority) == (4, 1)
    assert fresh(incident).priority == 1
    last = list(timeline.events_of(incident))[-1]
    assert last.changes["matrix_priority"] == [3, 4]
    assert "priority" not in last.changes
    assert "P1" in last.note


@pytest.mark.parametrize("priority", [0, 5, "1", None, True])
def test_an_override_needs_a_priority_from_1_to_4(cast, priority):
    incident = cast.log()
    before = snapshot()
    with pytest.raises(Invalid) as raised:
        act(actions.override_priority, incident, cast.lead_wang, priority=priority, reason="x")
    assert set(raised.value.fields) == {"priority"}
    assert snapshot() == before


def test_an_override_needs_a_reason(cast):
    incident = cast.log()
    before = snapshot()
    with pytest.raises(Invalid) as raised:
        act(actions.override_priority, incident, cast.lead_wang, priority=2, reason="  ")
    assert set(raised.value.fields) == {"reason"}
    assert snapshot() == before
