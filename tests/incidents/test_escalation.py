"""The escalation engine through the real actions and the SLA sweep, with
time frozen at Monday 2026-11-23 10:00 in Shanghai. The cast's default
incident is P3 for a VIP customer (15 minutes to respond, 4 working hours to
resolve, matrix: team lead and incident manager after 2 working hours); a
high × critical one is P1 (3 minutes, 1 hour around the clock, matrix at 5,
5, 10, 10 and 15 minutes)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from opsdesk.core import timeline
from opsdesk.core.choices import Role
from opsdesk.core.health import readings
from opsdesk.core.models import Notification, User
from opsdesk.incidents import actions
from opsdesk.incidents.models import Escalation
from opsdesk.sla.models import EscalationStep, SlaPolicy
from opsdesk.sla.sweep import SlaSweep

from .helpers import act, fresh
from .test_concurrency import in_threads

SHANGHAI = ZoneInfo("Asia/Shanghai")
P1 = {"impact": "high", "urgency": "critical"}


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.fixture
def managers(cast):
    """The management chain above the cast's incident manager, and an L2 lead."""
    cast.zheng = User.objects.create_user(
        username="manager_zheng", display_name="郑宏", role=Role.SERVICE_MANAGER,
        email="manager_zheng@example.com")
    cast.director_liu = User.objects.create_user(
        username="director_liu", display_name="刘洋", role=Role.OPS_DIRECTOR,
        email="director_liu@example.com")
    cast.l2.lead = cast.l2_colleague_sun
    cast.l2.save()
    return cast


def sweep() -> int:
    """Run the sweep until nothing is due; how many batches it took."""
    handler, batches = SlaSweep(), 0
    while handler.handle_one():
        batches += 1
    return batches


def fired(incident) -> list[str]:
    return list(Escalation.objects.filter(incident=incident).order_by("id")
                .values_list("key", flat=True))


def escalation_notes(incident) -> list[str]:
    return [event.note for event in timeline.events_of(incident) if event.kind == "escalated"]


def mails(incident) -> list[tuple[str, str]]:
    return list(Notification.objects.filter(subject_id=incident.pk).order_by("id")
                .values_list("event", "address"))


def overdue() -> str:
    with translation.override("en"):
        return next(r.value for r in readings() if r.label == "Incidents overdue but not escalated")


def test_a_priority_1_incident_escalates_as_it_is_logged(managers, frozen):
    with translation.override("en"):
        incident = fresh(managers.log(**P1))

    assert fired(incident) == ["p1_logged"]
    assert incident.major_incident_offered is True
    assert incident.status == "new"  # handling goes on
    assert mails(incident) == [
        ("incident_logged_p1", "lead_wang@example.com"),
        ("incident_logged_p1", "manager_zheng@example.com"),
        ("incident_logged_p1", "director_liu@example.com"),
    ]
    assert escalation_notes(incident) == [
        "Priority 1 incident logged: incident manager and management notified at once; "
        "consider declaring a major incident. Notified: Incident manager 王芳, "
        "Ops service manager 郑宏, Ops director 刘洋."]
    assert incident.next_escalation_at == local("2026-11-23 10:03")  # the response limit
    assert sweep() == 0
    assert fired(incident) == ["p1_logged"]


def test_a_p3_incident_does_not_escalate_when_logged(cast):
    incident = fresh(cast.log())
    assert fired(incident) == []
    assert incident.next_escalation_at == local("2026-11-23 10:15")


def test_the_p1_matrix_fires_each_step_once_as_it_falls_due(managers, frozen):
    incident = managers.log(**P1)
    incident = act(actions.assign, incident, managers.agent_li, team=managers.l2)
    act(actions.accept, incident, managers.engineer_chen)  # responded: no response breach

    expected = {
        4: ["p1_logged"],
        5: ["p1_logged", "matrix:team_lead", "matrix:incident_manager"],
        9: ["p1_logged", "matrix:team_lead", "matrix:incident_manager"],
        10: ["p1_logged", "matrix:team_lead", "matrix:incident_manager",
             "matrix:service_manager", "matrix:ops_director"],
        15: ["p1_logged", "matrix:team_lead", "matrix:incident_manager",
             "matrix:service_manager", "matrix:ops_director", "matrix:leadership"],
    }
    elapsed = 0
    for minutes, keys in expected.items():
        frozen.shift(timedelta(minutes=minutes - elapsed))
        elapsed = minutes
        for _round in range(3):
            sweep()
        assert fired(incident) == keys, minutes
    assert mails(incident)[3:] == [
        ("status_changed", "requester_zhao@example.com"),  # accepted (INC-18)
        ("escalated", "engineer_sun@example.com"), ("escalated", "lead_wang@example.com"),
        ("escalated", "manager_zheng@example.com"), ("escalated", "director_liu@example.com"),
        ("escalated", "leader_ma@example.com")]
    assert fresh(incident).status == "in_progress"
    assert fresh(incident).next_escalation_at == local("2026-11-23 11:00")


def test_a_missed_response_escalates_functionally_and_sets_the_breach_flag(managers, frozen):
    incident = managers.log()
    frozen.shift(timedelta(minutes=14, seconds=59))
    assert sweep() == 0
    frozen.shift(timedelta(seconds=1))
    with translation.override("en"):
        assert sweep() == 1
        assert sweep() == 0

    incident = fresh(incident)
    assert fired(incident) == ["response_breach"]
    assert incident.response_breached is True
    assert incident.status == "new"
    assert escalation_notes(incident) == [
        "Response SLA 100% elapsed: functional escalation to L2 support. "
        "Notified: Support engineer 孙磊, Incident manager 王芳."]
    assert mails(incident) == [("escalated", "engineer_sun@example.com"),
                               ("escalated", "lead_wang@example.com")]
    event = next(e for e in timeline.events_of(incident) if e.kind == "escalated")
    assert (event.actor, event.source) == (None, "worker")
    assert event.changes["response_breached"] == [False, True]


def test_a_missed_resolution_at_l2_goes_to_the_incident_manager(managers, frozen, desk):
    incident = desk.in_progress()  # with engineer_chen at L2, answered at once
    frozen.shift(timedelta(hours=5))  # 15:00: resolution due (and the matrix, at 12:00)
    sweep()
    incident = fresh(incident)
    assert fired(incident) == ["matrix:team_lead", "matrix:incident_manager",
                               "resolution_breach"]
    assert incident.resolve_breached is True
    assert Escalation.objects.get(incident=incident, key="resolution_breach").level == (
        "incident_manager")
    assert incident.next_escalation_at is None


def test_the_fourth_reassignment_escalates_to_the_incident_manager_once(managers):
    incident = managers.log()
    teams = [managers.l1, managers.l2, managers.l3, managers.vendor, managers.l1,
             managers.l2]
    # The note is written in the language active when the step fires.
    with translation.override("en"):
        for number, team in enumerate(teams):
            incident = act(actions.assign, incident, managers.agent_li, team=team)
            assert incident.reassignment_count == number
            assert fired(incident) == (["reassigned"] if number > 3 else []), number
    assert sweep() == 0
    assert mails(incident) == [("escalated", "lead_wang@example.com")]
    assert escalation_notes(incident)[0].startswith(
        "Reassigned 4 times, more than three: escalated to the incident manager.")


def test_after_a_three_hour_outage_the_missed_steps_fire_once_each_in_order(managers, frozen):
    incident = managers.log(**P1)
    frozen.shift(timedelta(hours=3))
    assert int(overdue()) == 1

    with translation.override("en"):
        sweep()
        sweep()

    assert fired(incident) == [
        "p1_logged", "response_breach", "matrix:team_lead", "matrix:incident_manager",
        "matrix:service_manager", "matrix:ops_director", "matrix:leadership",
        "resolution_breach"]
    notes = escalation_notes(incident)
    assert [note.split(" Notified:")[0] for note in notes[1:]] == [
        "Response SLA 100% elapsed: functional escalation to L2 support.",
        *[f"Escalation matrix for P1: {m} minutes since registration (business time)."
          for m in (5, 5, 10, 10, 15)],
        "Resolution SLA 100% elapsed: functional escalation to L2 support.",
    ]
    # Nobody leads the unassigned ticket's team: that step tells no one, and says so.
    assert notes[2].endswith("Notified: nobody (no one holds this role).")
    assert [address for _event, address in mails(incident)[3:]] == [
        "engineer_sun@example.com", "lead_wang@example.com",  # response → L2 lead, manager
        "lead_wang@example.com", "manager_zheng@example.com", "director_liu@example.com",
        "leader_ma@example.com",
        "engineer_sun@example.com", "lead_wang@example.com",  # resolution
    ]
    incident = fresh(incident)
    assert (incident.response_breached, incident.resolve_breached) == (True, True)
    assert incident.next_escalation_at is None
    assert overdue() == "0"


def test_editing_the_matrix_or_the_policy_leaves_running_tickets_alone(cast, frozen, desk):
    incident = desk.in_progress()
    EscalationStep.objects.filter(priority=3).update(after_minutes=30)
    SlaPolicy.objects.filter(priority=3).update(resolution_minutes=60)
    frozen.shift(timedelta(minutes=90))  # 11:30
    sweep()
    assert fired(incident) == []
    frozen.shift(timedelta(minutes=30))  # 12:00: two working hours
    sweep()
    assert fired(incident) == ["matrix:team_lead", "matrix:incident_manager"]

    later = desk.in_progress()  # logged now, with the edited steps and policy
    assert fresh(later).resolve_due_at == local("2026-11-23 14:00")
    assert fresh(incident).resolve_due_at == local("2026-11-23 15:00")
    frozen.shift(timedelta(hours=1, minutes=30))  # 13:30: 30 working minutes later
    sweep()
    assert fired(later) == ["matrix:team_lead", "matrix:incident_manager"]


def test_the_resolution_escalation_waits_while_pending_on_the_requester(cast, frozen, desk):
    incident = act(actions.pend, desk.in_progress(), cast.engineer_chen,
                   waiting_on="requester", reason="请提供报错截图")
    assert fresh(incident).next_escalation_at is None
    frozen.shift(timedelta(hours=6))  # 16:00, past the original 15:00
    sweep()
    assert fired(incident) == []
    assert overdue() == "0"

    incident = act(actions.resume, fresh(incident), cast.engineer_chen)
    due = fresh(incident).resolve_due_at
    # Paused 10:00-16:00, five working hours: 4 + 5 working hours from 10:00.
    assert due == local("2026-11-24 11:00")
    assert fresh(incident).next_escalation_at == local("2026-11-23 18:00")  # the matrix
    frozen.move_to(due - timedelta(seconds=1))
    sweep()
    assert fired(incident) == ["matrix:team_lead", "matrix:incident_manager"]
    frozen.move_to(due)
    sweep()
    assert fired(incident)[-1] == "resolution_breach"


def test_escalate_fires_nothing_twice_and_nothing_on_a_resolved_ticket(cast, frozen, desk):
    incident = desk.in_progress()
    frozen.shift(timedelta(hours=2))
    assert [step.key for step in actions.escalate(incident)] == [
        "matrix:team_lead", "matrix:incident_manager"]
    assert actions.escalate(incident) == []
    resolved = desk.resolve(fresh(desk.in_progress()))
    frozen.shift(timedelta(hours=8))
    assert actions.escalate(resolved) == []
    assert fresh(resolved).next_escalation_at is None


@pytest.mark.postgres_only
def test_two_sweeps_at_once_fire_every_step_once(tx_cast, frozen):
    tx_cast.l2.lead = tx_cast.l2_colleague_sun
    tx_cast.l2.save()
    incidents = [tx_cast.log(title=f"批量告警 {n}") for n in range(40)]
    frozen.shift(timedelta(hours=3))  # 13:00: response and matrix due, resolution not yet

    _results, errors = in_threads(2, lambda _index: sweep())
    assert errors == []

    assert Escalation.objects.count() == 40 * 3
    for incident in incidents:
        assert sorted(fired(incident)) == ["matrix:incident_manager", "matrix:team_lead",
                                           "response_breach"]
        # response: the L2 lead and the manager; matrix: the manager (no team lead).
        assert sorted(mails(incident)) == [("escalated", "engineer_sun@example.com"),
                                           ("escalated", "lead_wang@example.com"),
                                           ("escalated", "lead_wang@example.com")]
    assert overdue() == "0"


def test_the_copy_of_a_rejected_p1_resolution_escalates_at_once(managers, desk):
    incident = desk.resolve(fresh(desk.in_progress(**P1)))
    _closed, copy = act(actions.reject, fresh(incident), managers.requester_zhao,
                        reason="仍然无法登录")
    assert fired(copy) == ["p1_logged"]
    assert fresh(copy).major_incident_offered is True
