"""Team stints (issue 3): which team held an incident, against its OLA target
or its vendor's underpinning contract, through the real actions, with time
frozen at Monday 2026-11-23 10:00 in Shanghai. The cast's default incident is
P3: the seeded OLA targets give L1 1 working hour and L2 2 working hours
(09:00-12:00, 13:00-18:00) to hand it over or resolve it."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from opsdesk.core.choices import Role, Tier
from opsdesk.core.errors import Invalid
from opsdesk.core.models import User
from opsdesk.incidents import actions
from opsdesk.incidents.models import TeamStint
from opsdesk.sla.models import BusinessCalendar, OlaTarget, UnderpinningContract

from .helpers import act, events, fresh, snapshot

SHANGHAI = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def stints(incident) -> list[tuple]:
    """(team, kind, started, ended, end reason, due, breached), oldest first."""
    return [(s.team.name, s.kind, s.started_at, s.ended_at, s.end_reason, s.due_at, s.breached)
            for s in TeamStint.objects.filter(incident=incident).select_related("team")]


def huawei_contract(cast, priority=3, response=30, resolution=240, calendar="workdays"):
    return UnderpinningContract.objects.create(
        vendor=cast.vendor, reference="HW-2026-017", priority=priority,
        response_minutes=response, resolution_minutes=resolution,
        calendar=BusinessCalendar.objects.get(code=calendar))


@pytest.fixture
def vendor_huang(cast):
    return User.objects.create_user(username="vendor_huawei", display_name="黄工",
                                    role=Role.ENGINEER, team=cast.vendor)


def test_assigning_to_a_team_starts_its_stint_on_its_ola_target(cast, desk):
    incident = desk.assigned()

    assert stints(incident) == [("二线系统组", "assigned", local("2026-11-23 10:00"), None, "",
                                 local("2026-11-23 12:00"), False)]
    stint = TeamStint.objects.get(incident=incident)
    assert (stint.tier, stint.target["kind"], stint.target["minutes"]) == ("l2", "ola", 120)


def test_a_hand_over_ends_one_stint_and_starts_the_next(cast, frozen):
    incident = act(actions.assign, cast.log(), cast.agent_li, team=cast.l1)
    frozen.shift(timedelta(minutes=20))

    act(actions.assign, incident, cast.agent_li, team=cast.l2)

    assert stints(incident) == [
        ("一线支持组", "assigned", local("2026-11-23 10:00"), local("2026-11-23 10:20"),
         "handed_over", local("2026-11-23 11:00"), False),
        # 100 minutes before lunch, the other 20 after it.
        ("二线系统组", "assigned", local("2026-11-23 10:20"), None, "",
         local("2026-11-23 13:20"), False),
    ]


def test_another_person_of_the_same_team_is_no_hand_over(cast, desk, frozen):
    incident = desk.assigned(assignee=cast.engineer_chen)
    frozen.shift(timedelta(minutes=5))

    act(actions.assign, incident, cast.agent_li, team=cast.l2, assignee=cast.l2_colleague_sun)

    assert len(stints(incident)) == 1 and stints(incident)[0][3] is None


def test_a_late_hand_over_is_recorded_as_missed(cast, frozen):
    incident = act(actions.assign, cast.log(), cast.agent_li, team=cast.l1)
    frozen.shift(timedelta(minutes=61))

    act(actions.assign, incident, cast.agent_li, team=cast.l2)

    assert stints(incident)[0][4:] == ("handed_over", local("2026-11-23 11:00"), True)


def test_resolving_ends_the_stint(cast, desk, frozen):
    incident = desk.in_progress()
    frozen.shift(timedelta(minutes=90))

    desk.resolve(incident)

    assert stints(incident)[0][3:] == (local("2026-11-23 11:30"), "resolved",
                                       local("2026-11-23 12:00"), False)


def test_an_incident_manager_taking_over_ends_the_teams_stint(cast, desk, frozen):
    incident = desk.in_progress()
    frozen.shift(timedelta(minutes=10))

    incident = act(actions.intervene, incident, cast.lead_wang, note="我来跟进")
    assert stints(incident)[0][3:5] == (local("2026-11-23 10:10"), "taken_over")

    frozen.shift(timedelta(minutes=10))
    act(actions.assign, incident, cast.lead_wang, team=cast.l2, assignee=cast.engineer_chen)
    assert [row[2:4] for row in stints(incident)] == [
        (local("2026-11-23 10:00"), local("2026-11-23 10:10")),
        (local("2026-11-23 10:20"), None)]


def test_the_copy_of_a_rejected_resolution_starts_a_stint_with_the_resolving_team(cast, desk):
    incident = desk.resolved()

    _closed, copy = act(actions.reject, incident, cast.agent_li, reason="仍然很慢")

    assert stints(copy) == [("二线系统组", "assigned", local("2026-11-23 10:00"), None, "",
                             local("2026-11-23 12:00"), False)]


def test_working_hours_targets_skip_the_weekend_and_p1_runs_around_the_clock(cast, frozen):
    frozen.move_to(local("2026-11-27 17:00"))  # a Friday, one working hour left
    p4 = cast.log(impact="low", urgency="medium")
    p1 = cast.log(impact="high", urgency="critical")

    for incident in (p4, p1):
        act(actions.assign, incident, cast.agent_li, team=cast.l1)

    assert fresh(p4).priority == 4 and fresh(p1).priority == 1
    # L1: P4 two working hours (Friday 17-18, Monday 9-10); P1 15 minutes, 7×24.
    assert stints(p4)[0][5] == local("2026-11-30 10:00")
    assert stints(p1)[0][5] == local("2026-11-27 17:15")


def test_editing_an_ola_target_leaves_running_stints_alone(cast, desk):
    running = desk.assigned()
    target = OlaTarget.objects.get(tier=Tier.L2, priority=3)
    target.minutes = 30
    target.save()

    later = desk.assigned(title="另一张单")

    assert stints(running)[0][5] == local("2026-11-23 12:00")
    assert stints(later)[0][5] == local("2026-11-23 10:30")


def test_a_priority_change_retargets_the_running_stint_from_its_start(cast, desk, frozen):
    incident = desk.assigned()
    frozen.shift(timedelta(minutes=10))

    act(actions.override_priority, incident, cast.lead_wang, priority=1, reason="全行网银中断")

    # L2 at P1: 30 minutes around the clock, from 10:00.
    assert stints(incident)[0][5] == local("2026-11-23 10:30")


def test_no_target_for_the_tier_means_a_stint_without_a_due_time(cast):
    OlaTarget.objects.filter(tier=Tier.L3).delete()

    incident = act(actions.assign, cast.log(), cast.agent_li, team=cast.l3)

    assert stints(incident)[0][5] is None


def test_pending_on_a_vendor_counts_against_its_contract_not_the_resolution_clock(
        cast, desk, frozen):
    huawei_contract(cast)
    incident = desk.in_progress()
    resolve_due = incident.resolve_due_at

    incident = act(actions.pend, incident, cast.engineer_chen, waiting_on="vendor",
                   vendor=cast.vendor, reason="等待华为备件")
    assert stints(incident) == [
        ("二线系统组", "assigned", local("2026-11-23 10:00"), None, "", None, False),
        ("华为厂商支持", "pending_on_vendor", local("2026-11-23 10:00"), None, "",
         local("2026-11-23 15:00"), False),
    ]
    frozen.shift(timedelta(hours=1))
    incident = act(actions.resume, incident, cast.engineer_chen, note="备件到了")

    assert stints(incident) == [
        # L2 waited an hour on the vendor: its own target moves an hour later.
        ("二线系统组", "assigned", local("2026-11-23 10:00"), None, "",
         local("2026-11-23 14:00"), False),
        ("华为厂商支持", "pending_on_vendor", local("2026-11-23 10:00"),
         local("2026-11-23 11:00"), "returned", local("2026-11-23 15:00"), False),
    ]
    incident = fresh(incident)
    assert (incident.resolve_due_at, incident.sla_paused_seconds) == (resolve_due, 0)
    assert incident.pauses.get().waiting_on == "vendor"


def test_a_vendor_that_misses_its_contract_while_waited_on_is_marked(cast, desk, frozen):
    huawei_contract(cast, resolution=60)
    incident = act(actions.pend, desk.in_progress(), cast.engineer_chen, waiting_on="vendor",
                   vendor=cast.vendor, reason="等待华为备件")
    frozen.shift(timedelta(minutes=90))

    act(actions.assign, incident, cast.agent_li, team=cast.l3)

    vendor_stint = TeamStint.objects.get(incident=incident, team=cast.vendor)
    assert (vendor_stint.end_reason, vendor_stint.breached) == ("returned", True)


def test_pending_on_the_requester_pauses_the_team_and_opens_no_vendor_stint(cast, desk, frozen):
    incident = act(actions.pend, desk.in_progress(), cast.engineer_chen,
                   waiting_on="requester", reason="请提供截图")
    frozen.shift(timedelta(minutes=30))
    act(actions.resume, incident, cast.engineer_chen)

    # Two working hours and the half hour waited: past lunch.
    assert stints(incident) == [("二线系统组", "assigned", local("2026-11-23 10:00"), None, "",
                                 local("2026-11-23 13:30"), False)]


def test_the_vendor_holding_the_incident_is_the_one_waited_on_by_default(
        cast, vendor_huang, frozen):
    huawei_contract(cast)
    incident = act(actions.assign, cast.log(), cast.agent_li, team=cast.vendor)
    incident = act(actions.accept, incident, vendor_huang)
    frozen.shift(timedelta(minutes=10))

    incident = act(actions.pend, incident, vendor_huang, waiting_on="vendor",
                   reason="等待原厂实验室复现")

    # Its one stint keeps running against its contract; nothing is paused.
    assert stints(incident) == [("华为厂商支持", "assigned", local("2026-11-23 10:00"), None, "",
                                 local("2026-11-23 15:00"), False)]
    assert fresh(incident).waiting_on == "vendor"


def test_a_vendor_holding_the_incident_responds_by_accepting(cast, vendor_huang, frozen):
    huawei_contract(cast, response=30)
    incident = act(actions.assign, cast.log(), cast.agent_li, team=cast.vendor)
    stint = TeamStint.objects.get(incident=incident)
    assert stint.response_due_at == local("2026-11-23 10:30")
    frozen.shift(timedelta(minutes=40))

    act(actions.accept, incident, vendor_huang)

    stint.refresh_from_db()
    assert stint.responded_at == local("2026-11-23 10:40")


def test_pending_names_only_a_vendor_and_only_when_waiting_on_one(cast, desk):
    incident = desk.in_progress()
    before = snapshot()
    stints_before = stints(incident)

    with pytest.raises(Invalid) as not_a_vendor:
        act(actions.pend, incident, cast.engineer_chen, waiting_on="vendor", vendor=cast.l3,
            reason="等待")
    with pytest.raises(Invalid) as not_waiting_on_it:
        act(actions.pend, incident, cast.engineer_chen, waiting_on="requester",
            vendor=cast.vendor, reason="等待")

    assert set(not_a_vendor.value.fields) == set(not_waiting_on_it.value.fields) == {"vendor"}
    assert snapshot() == before and stints(incident) == stints_before


def test_the_timeline_names_the_vendor_waited_on(cast, desk):
    incident = act(actions.pend, desk.in_progress(), cast.engineer_chen, waiting_on="vendor",
                   vendor=cast.vendor, reason="等待华为备件")

    kind, _actor, _source, changes = events(incident)[-1]
    assert (kind, changes["vendor"]) == ("pended", [None, "华为厂商支持"])
