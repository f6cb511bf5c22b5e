"""OLA targets (运营水平协议) per support tier and underpinning contracts
(支持合同) per vendor: the seeded defaults, the admin, and compliance per
team for a period, counted from stints made by the real actions."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from opsdesk.core.choices import Tier
from opsdesk.core.models import User
from opsdesk.incidents import actions
from opsdesk.sla.compliance import TeamCompliance, team_compliance
from opsdesk.sla.models import BusinessCalendar, OlaTarget, UnderpinningContract

SHANGHAI = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def test_every_internal_tier_has_a_seeded_target_per_priority():
    seeded = {(row.tier, row.priority): (row.minutes, row.calendar.code)
              for row in OlaTarget.objects.select_related("calendar")}

    assert set(seeded) == {(tier, priority) for tier in Tier.values if tier != Tier.VENDOR
                           for priority in (1, 2, 3, 4)}
    assert [seeded["l1", p] for p in (1, 2, 3, 4)] == [
        (15, "24x7"), (30, "24x7"), (60, "workdays"), (120, "workdays")]
    assert [seeded["l2", p][0] for p in (1, 2, 3, 4)] == [30, 60, 120, 240]


def test_a_vendor_has_a_contract_not_an_ola_target(cast):
    workdays = BusinessCalendar.objects.get(code="workdays")
    with translation.override("en"):
        with pytest.raises(ValidationError) as ola:
            OlaTarget(tier=Tier.VENDOR, priority=1, minutes=10, calendar=workdays).full_clean()
        with pytest.raises(ValidationError) as uc:
            UnderpinningContract(vendor=cast.l2, reference="X", priority=1, response_minutes=5,
                                 resolution_minutes=60, calendar=workdays).full_clean()
        # The messages are lazy: read them in English too.
        assert "underpinning contracts" in str(ola.value.message_dict["tier"])
        assert "vendor" in str(uc.value.message_dict["vendor"])


@pytest.fixture
def admin_client(client, cast):
    client.force_login(User.objects.create_superuser("root", "root@example.cn", "pw"))
    return client


def test_the_admin_edits_ola_targets_and_contracts(admin_client, cast):
    target = OlaTarget.objects.get(tier=Tier.L1, priority=1)
    change = reverse("admin:sla_olatarget_change", args=[target.pk])
    form = {"tier": "l1", "priority": "1", "minutes": "10", "calendar": target.calendar_id}

    assert admin_client.get(reverse("admin:sla_olatarget_changelist")).status_code == 200
    assert admin_client.post(change, form).status_code == 302
    target.refresh_from_db()
    assert target.minutes == 10

    add = reverse("admin:sla_underpinningcontract_add")
    assert admin_client.post(add, {
        "vendor": cast.vendor.pk, "reference": "HW-2026-017", "priority": "2",
        "response_minutes": "15", "resolution_minutes": "240",
        "calendar": target.calendar_id}).status_code == 302
    assert UnderpinningContract.objects.get().vendor == cast.vendor
    assert admin_client.get(
        reverse("admin:sla_underpinningcontract_changelist")).status_code == 200


def _hand_over(incident, actor, team):
    return actions.assign(incident, actor=actor, source="web",
                          expected_version=incident.version, team=team)


def test_compliance_counts_the_stints_that_ended_in_the_period_per_team(cast, frozen):
    UnderpinningContract.objects.create(
        vendor=cast.vendor, reference="HW-2026-017", priority=3, response_minutes=30,
        resolution_minutes=240, calendar=BusinessCalendar.objects.get(code="workdays"))
    on_time = _hand_over(cast.log(), cast.agent_li, cast.l1)
    late = _hand_over(cast.log(), cast.agent_li, cast.l1)
    frozen.shift(timedelta(minutes=30))
    on_time = _hand_over(on_time, cast.agent_li, cast.l2)  # L1 within its hour
    frozen.shift(timedelta(minutes=40))
    late = _hand_over(late, cast.agent_li, cast.vendor)  # L1 after 70 minutes
    frozen.shift(timedelta(minutes=60))
    _hand_over(late, cast.agent_li, cast.l2)  # the vendor never accepted, 60 > 30 minutes
    frozen.shift(timedelta(days=1))
    _hand_over(on_time, cast.agent_li, cast.l3)  # L2 a day later: the next day's period

    today = team_compliance(local("2026-11-23 00:00"), local("2026-11-24 00:00"))

    assert today == [
        TeamCompliance(cast.l1.pk, "一线支持组", "l1", met=1, breached=1, response_missed=0),
        TeamCompliance(cast.vendor.pk, "华为厂商支持", "vendor", met=1, breached=0,
                       response_missed=1),
    ]
    assert today[0].met_rate == 0.5
    assert team_compliance(local("2026-11-23 00:00"), local("2026-11-24 00:00"),
                           tiers=[Tier.VENDOR]) == today[1:]
    tomorrow = team_compliance(local("2026-11-24 00:00"), local("2026-11-25 00:00"))
    assert [(row.team, row.met, row.breached) for row in tomorrow] == [("二线系统组", 0, 1)]


def test_compliance_is_one_query(cast, django_assert_num_queries):
    with django_assert_num_queries(1):
        team_compliance(local("2026-11-01 00:00"), local("2026-12-01 00:00"))
