"""Seed 004 §5.11 on-site KPIs, the problem KPIs (seed 003, PRB-06) and
service availability (服务系统无故障率)."""

from datetime import date
from decimal import Decimal

import pytest

from opsdesk.core.choices import Tier
from opsdesk.core.models import Service, Team
from opsdesk.reports.kpi_filters import Filters
from opsdesk.reports.periods import Period

from .kpi_helpers import NOVEMBER, OCTOBER, Records, at, grouped, numbers, pct, rows


@pytest.fixture
def onsite(cast):
    """Four incidents dispatched on site (one twice), one never."""
    records = Records(cast)
    team = Team.objects.create(name="现场支持组", tier=Tier.ONSITE)
    made = {
        "on_time": records.resolved(at(11, 2), 4, resolver_role=Tier.ONSITE, satisfaction_score=5),
        "late": records.resolved(at(11, 3), 10, resolver_role=Tier.ONSITE, resolve_breached=True,
                                 complaint_count=1, satisfaction_score=2),
        "no_deadline": records.resolved(at(11, 4), 1, resolver_role=Tier.L2,
                                        closure_code="successful_with_problem"),
        "not_there_yet": records.incident(at(11, 5)),
        "desk_only": records.resolved(at(11, 6), 1),
    }
    records.stint(made["on_time"], team, at(11, 2, 10, 10), responded_at=at(11, 2, 10, 40),
                  arrival_due_at=at(11, 2, 12), arrived_at=at(11, 2, 11, 30))
    # Dispatched twice: the first dispatch was never accepted; the second
    # was accepted after 90 minutes and the engineer arrived late.
    records.stint(made["late"], team, at(11, 3, 10, 5), arrival_due_at=at(11, 3, 12),
                  ended_at=at(11, 3, 12, 30), end_reason="handed_over")
    records.stint(made["late"], team, at(11, 3, 13), responded_at=at(11, 3, 14, 30),
                  arrival_due_at=at(11, 3, 15), arrived_at=at(11, 3, 16))
    records.stint(made["no_deadline"], team, at(11, 4, 10), responded_at=at(11, 4, 10, 20),
                  arrived_at=at(11, 4, 11))
    records.stint(made["not_there_yet"], team, at(11, 5, 10), arrival_due_at=at(11, 5, 12))
    return {name: incident.number for name, incident in made.items()}


def test_arrived_on_time_over_the_incidents_dispatched_on_site(onsite):
    assert numbers("onsite_arrival_on_time_rate") == (Decimal("50.00"), 2, 4)
    assert rows("onsite_arrival_on_time_rate") == {onsite["on_time"], onsite["no_deadline"]}
    assert onsite["desk_only"] not in rows("onsite_arrival_on_time_rate", part="denominator")


def test_mean_response_is_accepted_minus_dispatched(onsite):
    # First accepted dispatch of each: 30, 90 and 20 minutes.
    assert numbers("onsite_mean_response_minutes") == (Decimal("46.67"), Decimal("140.00"), 3)


def test_on_site_resolution_rate_and_within_the_agreed_time(onsite):
    assert numbers("onsite_resolution_rate") == (Decimal("50.00"), 2, 4)
    assert numbers("onsite_resolved_within_sla_rate") == (Decimal("25.00"), 1, 4)
    assert rows("onsite_resolved_within_sla_rate") == {onsite["on_time"]}


def test_on_site_mean_resolution_time(onsite):
    assert numbers("onsite_mean_resolution_hours") == (Decimal("7.00"), Decimal("14.00"), 2)


def test_on_site_problem_satisfaction_and_complaints(onsite):
    assert numbers("onsite_escalated_to_problem_rate") == (Decimal("25.00"), 1, 4)
    assert numbers("onsite_satisfaction") == (Decimal("3.50"), 7, 2)
    assert numbers("onsite_complaint_rate") == (Decimal("25.00"), 1, 4)


def test_third_party_mean_resolution_counts_from_the_transfer(cast):
    records = Records(cast)
    records.resolved(at(11, 2), 10, resolver_role=Tier.VENDOR,
                     transferred_to_vendor_at=at(11, 2, 14))  # resolved 20:00: 6 h
    records.resolved(at(11, 3), 5, resolver_role=Tier.VENDOR, status="resolved",
                     transferred_to_vendor_at=at(11, 3, 11))  # resolved 15:00: 4 h
    records.resolved(at(11, 4), 5, resolver_role=Tier.L3)
    assert numbers("vendor_mean_resolution_hours") == (Decimal("5.00"), Decimal("10.00"), 2)


def test_problems_opened_and_resolution_rate(cast):
    records = Records(cast)
    carried = records.problem(at(10, 20), resolved=at(11, 5))
    records.problem(at(10, 21))  # still open: part of November's work
    records.problem(at(10, 1), resolved=at(10, 30))  # solved before November
    opened = records.problem(at(11, 2), resolved=at(11, 20))
    records.problem(at(11, 25))
    records.problem(None)  # proposed, never accepted
    assert numbers("problems_total") == (Decimal(2), 2, None)
    assert numbers("problem_resolution_rate") == (Decimal("50.00"), 2, 4)
    assert rows("problem_resolution_rate") == {carried.number, opened.number}
    assert numbers("problem_resolution_rate", OCTOBER) == (pct(1, 3), 1, 3)


def test_problems_by_month_of_a_quarter(cast):
    records = Records(cast)
    records.problem(at(10, 20), resolved=at(11, 5))
    records.problem(at(11, 2))
    quarter = Period.quarter(2026, 4)
    assert grouped("problem_resolution_rate", "month", quarter) == {
        date(2026, 10, 1): (Decimal("0.00"), 0, 1),
        date(2026, 11, 1): (Decimal("50.00"), 1, 2),
        date(2026, 12, 1): (Decimal("0.00"), 0, 1)}


@pytest.fixture
def outages(cast):
    """October (31 days = 744 h) for two services; faults on the first."""
    records = Records(cast)
    Service.objects.create(name="网银服务", code="ebank")
    made = {
        # 1 Oct 10:00–12:00, and 11:00–14:00 overlapping it: 4 h together.
        "first": records.incident(at(10, 1, 10), business_recovered_at=at(10, 1, 12)),
        "overlap": records.incident(at(10, 1, 11), resolved_at=at(10, 1, 14)),
        # A duplicate and a service request never count.
        "request": records.incident(at(10, 2, 10), kind="service_request",
                                    resolved_at=at(10, 2, 20)),
        # From 31 Oct 22:00 to 1 Nov 04:00: 2 h in October, 4 h in November.
        "across": records.incident(at(10, 31, 22), business_recovered_at=at(11, 1, 4)),
    }
    records.incident(at(10, 3, 10), duplicate_of=made["first"], resolved_at=at(10, 3, 20))
    return {name: incident.number for name, incident in made.items()}


def test_availability_merges_overlapping_outages(cast, outages):
    hours = 744
    value, up, total = numbers("service_availability", OCTOBER,
                               filters=Filters(service=cast.service.pk))
    assert (up, total) == ((hours - 6) * 3600, hours * 3600)
    assert value == pct(hours - 6, hours)
    assert rows("service_availability", OCTOBER) == {
        outages["first"], outages["overlap"], outages["across"]}


def test_availability_of_the_whole_catalogue_and_per_service(cast, outages):
    hours = 744
    assert numbers("service_availability", OCTOBER)[1:] == (
        (2 * hours - 6) * 3600, 2 * hours * 3600)
    per_service = grouped("service_availability", "service", OCTOBER)
    assert per_service[cast.service.pk][1] == (hours - 6) * 3600
    assert [v for v, _, _ in per_service.values()].count(Decimal("100.00")) == 1


def test_an_outage_across_months_counts_in_each_month_for_its_part(cast, outages):
    # November is the current month: service time runs until now (23rd 10:00).
    elapsed = (22 * 24 + 10) * 3600
    up = numbers("service_availability", NOVEMBER, filters=Filters(service=cast.service.pk))[1]
    assert up == elapsed - 4 * 3600


def test_an_unrecovered_fault_is_down_until_now(cast, frozen):
    Records(cast).incident(at(11, 23, 8))
    up = numbers("service_availability", NOVEMBER, filters=Filters(service=cast.service.pk))[1]
    assert up == (22 * 24 + 10) * 3600 - 2 * 3600


def test_availability_by_day(cast, outages):
    days = grouped("service_availability", "day", OCTOBER, filters=Filters(
        service=cast.service.pk))
    assert days[date(2026, 10, 1)] == (pct(20, 24), 20 * 3600, 24 * 3600)
    assert days[date(2026, 10, 31)][1] == 22 * 3600
    assert len(days) == 31


def test_a_service_without_an_outage_is_fully_available(cast):
    """October has 31 × 24 h = 2,678,400 s: with no failure all of it is up."""
    Service.objects.create(name="网银服务", code="ebank")
    Records(cast).incident(at(10, 5), kind="service_request")  # not a fault
    month = 31 * 24 * 3600
    assert numbers("service_availability", OCTOBER, filters=Filters(
        service=cast.service.pk)) == (Decimal("100.00"), month, month)
    assert numbers("service_availability", OCTOBER) == (Decimal("100.00"), 2 * month, 2 * month)
    assert set(grouped("service_availability", "service", OCTOBER).values()) == {
        (Decimal("100.00"), month, month)}


def test_the_other_service_is_fully_available_while_one_is_down(cast, outages):
    other = Service.objects.get(code="ebank")
    month = 31 * 24 * 3600
    assert numbers("service_availability", OCTOBER, filters=Filters(service=other.pk)) == (
        Decimal("100.00"), month, month)


def test_a_fault_closed_without_recovery_is_down_until_its_closure(cast):
    """Imported history has faults closed with no resolution time recorded."""
    Records(cast).incident(at(10, 10, 8), status="closed", closure_code="unsuccessful",
                           closed_at=at(10, 10, 11))
    month = 31 * 24 * 3600
    assert numbers("service_availability", OCTOBER, filters=Filters(
        service=cast.service.pk))[1:] == (month - 3 * 3600, month)
