"""The escalation decisions (sla.rules), pure: every priority × level ×
elapsed time of the seeded matrix, and the response, resolution,
reassignment and priority 1 rules. Registration is Monday 2026-11-23 10:00
in Shanghai; P1/P2 run around the clock, P3/P4 on working hours
(09:00-12:00, 13:00-18:00)."""

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from opsdesk.sla import rules
from opsdesk.sla.calendar import BusinessCalendar, week_from_dict

SHANGHAI = ZoneInfo("Asia/Shanghai")
AROUND_THE_CLOCK = BusinessCalendar(time_zone="Asia/Shanghai", is_24x7=True)
WORKDAYS = BusinessCalendar(
    time_zone="Asia/Shanghai",
    week=week_from_dict({day: ["09:00-12:00", "13:00-18:00"]
                         for day in ("mon", "tue", "wed", "thu", "fri")}),
    uses_chinese_holidays=True,
)
# Seed 004 / INC-11, as the migration seeds it.
MATRIX = {
    1: [("team_lead", 5), ("incident_manager", 5), ("service_manager", 10),
        ("ops_director", 10), ("leadership", 15)],
    2: [("team_lead", 60), ("incident_manager", 60), ("service_manager", 60),
        ("ops_director", 90)],
    3: [("team_lead", 120), ("incident_manager", 120)],
    4: [("team_lead", 240), ("incident_manager", 240)],
}
REGISTERED = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def snapshot(priority: int) -> dict:
    calendar = AROUND_THE_CLOCK if priority <= 2 else WORKDAYS
    return {"priority": priority, "calendar": calendar.to_dict(),
            "escalation_steps": [{"level": level, "after_minutes": minutes}
                                 for level, minutes in MATRIX[priority]]}


def ticket(priority: int, **changes) -> rules.TicketState:
    """Responded and with no resolution clock, so only the matrix is in play."""
    state = rules.TicketState(
        priority=priority, registered_at=REGISTERED, response_due_at=None, responded=True,
        resolve_due_at=None, resolved=False, paused=False,
        paused_seconds=0, reassignment_count=0, tier="l2")
    return replace(state, **changes)


def matrix_keys(decision: rules.Decision) -> list[str]:
    return [step.key for step in decision.due if step.key.startswith(rules.MATRIX_PREFIX)]


# (priority, local instant, matrix levels due by then). P3/P4 count working
# hours only: 2 h from Monday 10:00 is 12:00, when the morning ends; 4 h
# is 15:00, the lunch hour not counted.
MATRIX_TABLE = [
    (1, "2026-11-23 10:04:59", []),
    (1, "2026-11-23 10:05", ["team_lead", "incident_manager"]),
    (1, "2026-11-23 10:09:59", ["team_lead", "incident_manager"]),
    (1, "2026-11-23 10:10", ["team_lead", "incident_manager", "service_manager",
                             "ops_director"]),
    (1, "2026-11-23 10:14:59", ["team_lead", "incident_manager", "service_manager",
                                "ops_director"]),
    (1, "2026-11-23 10:15", ["team_lead", "incident_manager", "service_manager",
                             "ops_director", "leadership"]),
    (1, "2026-11-24 10:00", ["team_lead", "incident_manager", "service_manager",
                             "ops_director", "leadership"]),
    (2, "2026-11-23 10:59:59", []),
    (2, "2026-11-23 11:00", ["team_lead", "incident_manager", "service_manager"]),
    (2, "2026-11-23 11:29:59", ["team_lead", "incident_manager", "service_manager"]),
    (2, "2026-11-23 11:30", ["team_lead", "incident_manager", "service_manager",
                             "ops_director"]),
    (2, "2026-11-25 11:30", ["team_lead", "incident_manager", "service_manager",
                             "ops_director"]),
    (3, "2026-11-23 11:59:59", []),
    (3, "2026-11-23 12:00", ["team_lead", "incident_manager"]),
    (3, "2026-11-24 09:00", ["team_lead", "incident_manager"]),
    (4, "2026-11-23 12:30", []),  # lunch: the clock stands still
    (4, "2026-11-23 14:59:59", []),
    (4, "2026-11-23 15:00", ["team_lead", "incident_manager"]),
    (4, "2026-11-30 09:00", ["team_lead", "incident_manager"]),
]


@pytest.mark.parametrize(("priority", "now", "levels"), MATRIX_TABLE)
def test_the_matrix_steps_due_by_priority_and_elapsed_time(priority, now, levels):
    decision = rules.decide(snapshot(priority), ticket(priority), set(), local(now))
    assert matrix_keys(decision) == [rules.matrix_key(level) for level in levels]


@pytest.mark.parametrize(("priority", "now", "next_at"), [
    (1, "2026-11-23 10:00", "2026-11-23 10:05"),
    (1, "2026-11-23 10:05", "2026-11-23 10:10"),
    (1, "2026-11-23 10:12", "2026-11-23 10:15"),
    (2, "2026-11-23 11:00", "2026-11-23 11:30"),
    (3, "2026-11-23 11:00", "2026-11-23 12:00"),
    (4, "2026-11-23 11:00", "2026-11-23 15:00"),
])
def test_the_next_instant_is_the_earliest_step_not_yet_due(priority, now, next_at):
    decision = rules.decide(snapshot(priority), ticket(priority), set(), local(now))
    assert decision.next_at == local(next_at)


def test_a_step_that_fired_is_not_due_again_and_the_rest_stay_in_order():
    fired = {rules.matrix_key("team_lead"), rules.matrix_key("incident_manager")}
    decision = rules.decide(snapshot(2), ticket(2), fired, local("2026-11-23 12:00"))
    assert [step.key for step in decision.due] == [
        rules.matrix_key("service_manager"), rules.matrix_key("ops_director")]
    assert [step.due_at for step in decision.due] == [local("2026-11-23 11:00"),
                                                      local("2026-11-23 11:30")]
    assert decision.next_at is None


def test_priority_1_escalates_at_registration_before_everything_else():
    decision = rules.decide(snapshot(1), ticket(1), set(), REGISTERED)
    assert [(step.key, step.level) for step in decision.due] == [
        (rules.P1_LOGGED, "management")]
    assert decision.next_at == local("2026-11-23 10:05")
    assert rules.decide(snapshot(2), ticket(2), set(), REGISTERED).due == []


@pytest.mark.parametrize(("tier", "target"), [
    (None, "l2"), ("service_desk", "l2"), ("l1", "l2"), ("l2", "incident_manager"),
    ("l3", "incident_manager"), ("vendor", "incident_manager"),
])
def test_a_missed_response_escalates_to_the_next_tier(tier, target):
    state = ticket(3, responded=False, response_due_at=local("2026-11-23 10:15"), tier=tier)
    before = rules.decide(snapshot(3), state, set(), local("2026-11-23 10:14:59"))
    at = rules.decide(snapshot(3), state, set(), local("2026-11-23 10:15"))
    assert before.due == [] and before.next_at == local("2026-11-23 10:15")
    assert [(step.key, step.level) for step in at.due] == [(rules.RESPONSE_BREACH, target)]


def test_a_response_given_in_time_never_escalates():
    state = ticket(3, responded=True, response_due_at=local("2026-11-23 10:15"))
    assert rules.decide(snapshot(3), state, set(), local("2026-11-23 11:00")).due == []


def test_a_missed_resolution_escalates_unless_its_clock_stands_still():
    running = ticket(3, resolve_due_at=local("2026-11-23 15:00"), tier="l1")
    due = rules.decide(snapshot(3), running, set(), local("2026-11-23 15:00")).due
    assert [(step.key, step.level) for step in due] == [
        (rules.MATRIX_PREFIX + "team_lead", "team_lead"),
        (rules.MATRIX_PREFIX + "incident_manager", "incident_manager"),
        (rules.RESOLUTION_BREACH, "l2"),
    ]
    pending = replace(running, resolve_due_at=None, paused=True)
    decision = rules.decide(snapshot(3), pending, set(), local("2026-11-23 15:00"))
    assert (decision.due, decision.next_at) == ([], None)


def test_time_paused_on_the_requester_moves_the_matrix_later():
    state = ticket(3, paused_seconds=30 * 60)
    assert matrix_keys(rules.decide(snapshot(3), state, set(), local("2026-11-23 13:29"))) == []
    assert rules.decide(snapshot(3), state, set(), local("2026-11-23 11:00")).next_at == local(
        "2026-11-23 13:30")
    assert len(matrix_keys(rules.decide(snapshot(3), state, set(),
                                        local("2026-11-23 13:30")))) == 2


@pytest.mark.parametrize(("count", "due"), [(0, False), (3, False), (4, True), (7, True)])
def test_more_than_three_reassignments_go_to_the_incident_manager(count, due):
    decision = rules.decide(snapshot(3), ticket(3, reassignment_count=count), set(), REGISTERED)
    expected = [(rules.REASSIGNED, "incident_manager")] if due else []
    assert [(step.key, step.level) for step in decision.due] == expected


def test_a_resolved_incident_escalates_no_more():
    state = ticket(1, resolved=True, responded=False, reassignment_count=5,
                   response_due_at=local("2026-11-23 10:05"))
    decision = rules.decide(snapshot(1), state, set(), local("2026-11-24 10:00"))
    assert (decision.due, decision.next_at) == ([], None)


def test_an_incident_without_a_policy_has_no_matrix():
    decision = rules.decide({}, ticket(3), set(), local("2026-11-30 10:00"))
    assert (decision.due, decision.next_at) == ([], None)
