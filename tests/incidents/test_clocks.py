"""SLA clocks on incidents, through the real actions, with time frozen at
Monday 2026-11-23 10:00 in Shanghai. The cast's default incident is P3
(medium impact × high urgency) for a VIP customer: the seeded P3 VIP
policy, 15 minutes to respond and 4 working hours to resolve on the
working-days calendar (09:00-12:00, 13:00-18:00)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation

from opsdesk.core import timeline
from opsdesk.incidents import actions
from opsdesk.incidents.models import SlaPause
from opsdesk.sla.models import BusinessCalendar, SlaPolicy

from .helpers import act, events, fresh

SHANGHAI = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def seeded(priority: int, customer_class: str = "") -> SlaPolicy:
    """A seeded policy (its name is in the site's language, so find it by what it covers)."""
    return SlaPolicy.objects.get(priority=priority, customer_class=customer_class, service=None)


def incident_events(incident) -> list:
    return list(timeline.events_of(incident))


def clocks_of(incident) -> dict:
    incident = fresh(incident)
    return {name: getattr(incident, name) for name in (
        "response_due_at", "response_near_at", "resolve_due_at", "resolve_near_at")}


def test_logging_starts_the_clocks_of_the_vip_policy(cast):
    incident = fresh(cast.log())

    assert incident.sla_snapshot["policy"] == seeded(3, "vip").name
    assert incident.sla_snapshot["calendar"]["working_hours"]["mon"] == [
        "09:00-12:00", "13:00-18:00"]
    assert clocks_of(incident) == {
        "response_due_at": local("2026-11-23 10:15"),
        "response_near_at": local("2026-11-23 10:12"),
        "resolve_due_at": local("2026-11-23 15:00"),
        "resolve_near_at": local("2026-11-23 14:12"),
    }
    assert (incident.responded_at, incident.response_breached, incident.resolve_breached) == (
        None, False, False)


def test_a_normal_customer_gets_the_standard_policy(cast):
    incident = fresh(cast.log(customer=cast.other_customer, requester=cast.outsider))

    assert incident.sla_snapshot["policy"] == seeded(3).name
    assert incident.response_due_at == local("2026-11-23 10:30")


def test_p1_runs_around_the_clock(cast):
    incident = fresh(cast.log(impact="high", urgency="critical", customer=cast.other_customer,
                              requester=cast.outsider))

    assert incident.sla_snapshot["policy"] == seeded(1).name
    assert incident.sla_snapshot["calendar"]["is_24x7"] is True
    assert incident.response_due_at == local("2026-11-23 10:05")
    assert incident.resolve_due_at == local("2026-11-23 11:00")


def _policy(cast, **fields):
    return SlaPolicy.objects.create(
        priority=3, response_minutes=fields.pop("response", 20), resolution_minutes=120,
        calendar=BusinessCalendar.objects.get(code="24x7"), **fields,
    )


def test_a_service_policy_beats_a_class_policy_and_both_beat_the_default(cast):
    _policy(cast, name="cloud P3", service=cast.service, response=20)

    assert fresh(cast.log(service=cast.service)).sla_snapshot["policy"] == "cloud P3"
    assert fresh(cast.log()).sla_snapshot["policy"] == seeded(3, "vip").name

    _policy(cast, name="cloud P3 VIP", service=cast.service, customer_class="vip", response=10)

    incident = fresh(cast.log(service=cast.service))
    assert incident.sla_snapshot["policy"] == "cloud P3 VIP"
    assert incident.response_due_at == local("2026-11-23 10:10")
    other = fresh(cast.log(service=cast.service, customer=cast.other_customer,
                           requester=cast.outsider))
    assert other.sla_snapshot["policy"] == "cloud P3"


def test_editing_the_policy_leaves_running_clocks_alone(cast, desk):
    incident = cast.log()
    before = clocks_of(incident)
    policy = seeded(3, "vip")
    policy.resolution_minutes = 30
    policy.calendar = BusinessCalendar.objects.get(code="24x7")
    policy.save()

    act(actions.assign, incident, cast.agent_li, team=cast.l2)

    assert clocks_of(incident) == before
    assert fresh(incident).sla_snapshot["resolution_minutes"] == 240
    assert fresh(cast.log()).resolve_due_at == local("2026-11-23 10:30")


def test_pending_on_the_requester_moves_the_resolution_deadline_by_the_paused_business_time(
        cast, desk, frozen):
    incident = desk.in_progress()
    frozen.shift(timedelta(minutes=30))
    incident = act(actions.pend, incident, cast.engineer_chen, waiting_on="requester",
                   reason="请提供报错截图")

    assert fresh(incident).resolve_due_at is None  # the clock stands still

    frozen.shift(timedelta(hours=3))  # 10:30 to 13:30: 2 h of working time around lunch
    act(actions.resume, incident, cast.engineer_chen)

    incident = fresh(incident)
    assert incident.sla_paused_seconds == 2 * 60 * 60
    assert incident.resolve_due_at == local("2026-11-23 17:00")
    assert incident.resolve_near_at == local("2026-11-23 16:12")
    assert incident.response_due_at == local("2026-11-23 10:15")
    pause = SlaPause.objects.get(incident=incident)
    assert (pause.waiting_on, pause.started_at, pause.ended_at, pause.business_seconds) == (
        "requester", local("2026-11-23 10:30"), local("2026-11-23 13:30"), 2 * 60 * 60)


def test_pending_on_a_vendor_is_recorded_but_does_not_stop_the_clock(cast, desk, frozen):
    incident = desk.in_progress()
    before = clocks_of(incident)
    incident = act(actions.pend, incident, cast.engineer_chen, waiting_on="vendor",
                   reason="等待厂商备件")
    assert clocks_of(incident) == before

    frozen.shift(timedelta(hours=3))
    act(actions.resume, incident, cast.engineer_chen)

    assert clocks_of(incident) == before
    assert fresh(incident).sla_paused_seconds == 0
    pause = SlaPause.objects.get(incident=incident)
    assert (pause.waiting_on, pause.business_seconds) == ("vendor", 2 * 60 * 60)


def test_reassigning_a_ticket_pending_on_the_requester_restarts_its_clock(cast, desk, frozen):
    incident = act(actions.pend, desk.in_progress(), cast.engineer_chen,
                   waiting_on="requester", reason="请提供报错截图")
    frozen.shift(timedelta(hours=1))

    act(actions.assign, incident, cast.agent_li, team=cast.l3)

    assert fresh(incident).resolve_due_at == local("2026-11-23 16:00")
    assert SlaPause.objects.get(incident=incident).ended_at == local("2026-11-23 11:00")


def test_acceptance_in_time_meets_the_response_target(cast, desk, frozen):
    incident = desk.assigned()
    frozen.shift(timedelta(minutes=10))

    act(actions.accept, incident, cast.engineer_chen)

    incident = fresh(incident)
    assert (incident.responded_at, incident.response_breached) == (
        local("2026-11-23 10:10"), False)


def test_late_acceptance_misses_it_and_a_later_one_changes_nothing(cast, desk, frozen):
    incident = desk.assigned()
    frozen.shift(timedelta(minutes=16))
    incident = act(actions.accept, incident, cast.engineer_chen)
    incident = act(actions.assign, incident, cast.agent_li, team=cast.l3)
    frozen.shift(timedelta(minutes=5))

    act(actions.accept, incident, cast.lead_wang)

    incident = fresh(incident)
    assert (incident.responded_at, incident.response_breached) == (
        local("2026-11-23 10:16"), True)


def test_a_public_staff_comment_is_a_response(cast, frozen):
    incident = cast.log()
    act(actions.comment, incident, cast.requester_zhao, body="有进展吗？", public=True)
    act(actions.comment, incident, cast.agent_li, body="内部：等二线确认", public=False)
    assert fresh(incident).responded_at is None

    frozen.shift(timedelta(minutes=5))
    act(actions.comment, incident, cast.agent_li, body="已收到，正在处理", public=True)

    incident = fresh(incident)
    assert (incident.responded_at, incident.response_breached) == (
        local("2026-11-23 10:05"), False)


def test_a_priority_change_recomputes_the_deadlines_keeping_the_paused_time(
        cast, desk, frozen):
    incident = act(actions.pend, desk.in_progress(), cast.engineer_chen,
                   waiting_on="requester", reason="请提供报错截图")
    frozen.shift(timedelta(minutes=30))
    incident = act(actions.resume, incident, cast.engineer_chen)

    with translation.override("en"):
        act(actions.update_incident, incident, cast.engineer_chen,
            changes={"impact": "high", "urgency": "critical"})

    incident = fresh(incident)
    assert incident.priority == 1
    assert incident.sla_snapshot["policy"] == seeded(1, "vip").name
    # 60 minutes around the clock from 10:00, plus the 30 minutes paused.
    assert incident.resolve_due_at == local("2026-11-23 11:30")
    # Already answered at 10:00: the response keeps the deadline it was measured by.
    assert incident.response_due_at == local("2026-11-23 10:15")
    kind, actor, source, changes = events(incident)[-2]
    assert (kind, actor, source) == ("sla_recalculated", "engineer_chen", "web")
    assert events(incident)[-1][:3] == ("escalated", None, "system")  # now a P1
    assert [datetime.fromisoformat(due) for due in changes["resolve_due_at"]] == [
        local("2026-11-23 15:30"), local("2026-11-23 11:30")]
    assert changes["sla_snapshot"] == [seeded(3, "vip").name, seeded(1, "vip").name]
    assert incident_events(incident)[-2].note.startswith(
        "Priority changed from P3 to P1 with the impact or urgency.")


def test_a_priority_override_recomputes_and_explains_why(cast):
    incident = cast.log()

    with translation.override("en"):
        act(actions.override_priority, incident, cast.agent_li, priority=2, reason="影响交易")

    incident = fresh(incident)
    assert incident.sla_snapshot["policy"] == seeded(2, "vip").name
    assert incident.response_due_at == local("2026-11-23 10:08")
    assert incident.resolve_due_at == local("2026-11-23 12:00")
    event = incident_events(incident)[-1]
    assert event.kind == "sla_recalculated"
    assert "P3" in event.note and "P2" in event.note
    assert "2026-11-23 15:00 → 2026-11-23 12:00" in event.note


def test_an_edit_that_keeps_the_priority_keeps_the_clocks(cast):
    incident = cast.log()
    before = clocks_of(incident)

    act(actions.update_incident, incident, cast.agent_li, changes={"impact": "low"})

    assert fresh(incident).priority == 3
    assert clocks_of(incident) == before
    assert "sla_recalculated" not in [e.kind for e in incident_events(incident)]


@pytest.mark.parametrize(("worked", "breached"), [
    (timedelta(hours=4), False),   # resolved at 15:00, the deadline itself
    (timedelta(hours=5, minutes=1), True),
])
def test_resolution_stops_the_clock_and_records_a_breach(cast, desk, frozen, worked, breached):
    incident = desk.in_progress()
    frozen.shift(worked)

    desk.resolve(incident)

    incident = fresh(incident)
    assert incident.resolve_breached is breached
    assert incident.resolve_due_at == local("2026-11-23 15:00")


def test_a_resolution_without_earlier_response_counts_as_the_response(cast, desk, frozen):
    incident = cast.log()
    frozen.shift(timedelta(minutes=20))

    desk.resolve(incident, by=cast.agent_li)

    incident = fresh(incident)
    assert (incident.responded_at, incident.response_breached) == (
        local("2026-11-23 10:20"), True)


def test_the_rejection_copy_has_its_own_clock(cast, desk, frozen):
    incident = desk.resolved()
    frozen.shift(timedelta(days=1))  # Tuesday 10:00

    _closed, copy = act(actions.reject, incident, cast.agent_li, reason="问题依旧")

    copy = fresh(copy)
    assert copy.sla_snapshot["policy"] == seeded(3, "vip").name
    assert copy.responded_at is None
    assert clocks_of(copy) == {
        "response_due_at": local("2026-11-24 10:15"),
        "response_near_at": local("2026-11-24 10:12"),
        "resolve_due_at": local("2026-11-24 15:00"),
        "resolve_near_at": local("2026-11-24 14:12"),
    }


def test_the_incident_page_shows_the_clocks(cast, client, desk, frozen):
    incident = desk.assigned()
    frozen.shift(timedelta(minutes=13))
    client.force_login(cast.agent_li)
    client.cookies["django_language"] = "en"

    page = client.get(reverse("incidents:detail", args=[incident.number])).content.decode()

    panel = page[page.index('data-testid="sla-panel"'):]
    panel = panel[:panel.index("</section>")]
    assert seeded(3, "vip").name in panel
    assert 'data-sla="response" data-state="near"' in panel
    assert "2026-11-23 10:15" in panel and "2 min left" in panel
    assert 'data-sla="resolution" data-state="ok"' in panel
    assert "2026-11-23 15:00" in panel and "3 h 47 min left" in panel
