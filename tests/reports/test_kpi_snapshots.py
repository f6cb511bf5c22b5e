"""Collected KPI snapshots (reports.kpi_snapshots): the worker stores each
month's figures per scope, the trend, the scorecard and the monthly report
read them back, and whatever has no usable snapshot is computed live."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
from django.db import connection, connections
from django.utils import translation

from opsdesk.core.choices import Tier
from opsdesk.core.models import Service, Team
from opsdesk.reports import handlers, kpi_snapshots, kpis, monthly
from opsdesk.reports.kpi_filters import Filters
from opsdesk.reports.kpi_snapshot_models import KpiSnapshot
from opsdesk.reports.periods import Period

from .dashboard_helpers import SHANGHAI, run
from .kpi_helpers import NOVEMBER, OCTOBER, Records, at


@pytest.fixture(autouse=True)
def teams_only(settings):
    """Breakdowns by team only: every breakdown of the defaults would
    collect some thirty scopes per month here, to the same effect."""
    settings.OPSDESK_KPI_BREAKDOWNS = ("team",)


def wanted(teams: int) -> int:
    """Snapshots of a year: the current month of the whole service, eleven
    completed months of it and of each team."""
    return 1 + 11 * (1 + teams)


def collect_all() -> list[str]:
    """What one worker collects until nothing is due, as 'YYYY-MM scope'."""
    collected = []
    while (snapshot := kpi_snapshots.collect_one()) is not None:
        collected.append(str(snapshot))
    return collected


@pytest.fixture
def history(cast):
    """October and November work of every kind the KPIs read: resolved,
    breached, rated, on-site, phone calls, an outage and problems."""
    records = Records(cast)
    onsite = Team.objects.create(name="现场支持组", tier=Tier.ONSITE)
    Service.objects.create(name="网银服务", code="ebank")
    for month in (10, 11):
        records.resolved(at(month, 2), 3, satisfaction_score=4, team=cast.l2,
                         business_recovered_at=at(month, 2, 11))
        records.resolved(at(month, 3), 30, resolve_breached=True, complaint_count=1,
                         closure_code="successful_with_problem", priority=2)
        visited = records.resolved(at(month, 5), 5, resolver_role=Tier.ONSITE, team=onsite,
                                   satisfaction_score=3)
        records.stint(visited, onsite, at(month, 5, 10, 15), responded_at=at(month, 5, 10, 45),
                      arrival_due_at=at(month, 5, 12), arrived_at=at(month, 5, 11))
        records.incident(at(month, 8), kind="service_request", team=cast.l2)
        records.call(at(month, 2, 9), 10, customer=cast.customer)
        records.call(at(month, 2, 9, 30), 40, customer=cast.customer)
        records.call(at(month, 2, 9, 45))
        records.problem(at(month, 4), resolved=at(month, 20))
    return records


def test_a_snapshot_holds_exactly_what_compute_gives(history, cast):
    collect_all()

    for period, filters in ((OCTOBER, Filters()), (OCTOBER, Filters(team=cast.l2.pk)),
                            (NOVEMBER, Filters())):
        collected = kpi_snapshots.figures(None, period, filters)
        assert collected.as_of is not None
        live = kpis.compute(None, period, filters=filters)
        assert collected.figures == live
        assert len(live) == len([k for k in kpis.KPIS.values()
                                 if kpis.applies(k, filters, None)])
    # The trend's shape too: grouped by month and labelled, over a span.
    year = Period.custom(datetime(2025, 12, 1).date(), NOVEMBER.last_day)
    by_month = kpi_snapshots.by_month(None, year, Filters())
    grouped = kpis.compute(None, year, group_by="month")
    assert by_month.as_of is not None
    assert set(grouped) <= set(by_month.figures)
    # A grouped query has no row for a month without calls; a month's own
    # figure says 0 calls.
    assert {(f.key, f.numerator) for f in set(by_month.figures) - set(grouped)} <= {
        (kpi.key, 0) for kpi in kpis.KPIS.values() if kpi.section == "service_desk"}


def test_snapshots_are_figures_not_a_guess(history, cast):
    """Snapshot and live differ once tickets change after the collection:
    what the reader gets is the stored figure, with its time."""
    collect_all()
    history.resolved(at(10, 20), 2)

    stored = kpi_snapshots.figures(["incidents_total"], OCTOBER).figures
    assert stored[0].value == 4
    assert kpis.compute(["incidents_total"], OCTOBER)[0].value == 5


def test_collection_is_idempotent_and_one_row_per_month_and_scope(history, cast, frozen):
    teams = Team.objects.count()
    first = collect_all()
    assert len(first) == wanted(teams)
    assert len(set(first)) == len(first)
    assert collect_all() == []
    assert KpiSnapshot.objects.count() == wanted(teams)

    frozen.shift(timedelta(minutes=6))
    # Only the whole service's current month is due again.
    assert collect_all() == ["2026-11 *"]
    assert KpiSnapshot.objects.count() == wanted(teams)


def test_every_filter_of_the_dashboards_is_a_breakdown_but_the_customer(history, cast,
                                                                         settings):
    del settings.OPSDESK_KPI_BREAKDOWNS
    scopes = {filters.query_string() for filters in kpi_snapshots.scopes()}
    assert {"", f"team={cast.l2.pk}", f"service={cast.service.pk}",
            f"category={cast.category.pk}", "priority=1", "priority=4", "channel=email",
            "resolver_role=vendor"} <= scopes
    assert not any(scope.startswith("customer=") for scope in scopes)

    snapshot = KpiSnapshot.objects.create(month=OCTOBER.first_day, scope="priority=2")
    kpi_snapshots.collect(snapshot, at(11, 23))
    collected = kpi_snapshots.figures(None, OCTOBER, Filters(priority=2))
    assert collected.figures == kpis.compute(None, OCTOBER, filters=Filters(priority=2))
    assert collected.as_of == at(11, 23)


def test_the_last_three_months_are_collected_again_every_night(history, frozen):
    collect_all()
    frozen.move_to(datetime(2026, 11, 24, 0, 30, tzinfo=SHANGHAI))

    again = {entry.split()[0] for entry in collect_all()}

    assert again == {"2026-11", "2026-10", "2026-09", "2026-08"}


def test_a_late_closure_is_picked_up_by_the_nightly_collection(history, cast, frozen):
    late = history.incident(at(10, 28), status="in_progress")
    collect_all()
    closed_before = kpi_snapshots.figures(["closed_rate"], OCTOBER).figures[0]

    late.status, late.closure_code = "closed", "successful"
    late.resolved_at, late.closed_at = at(11, 23, 9), at(11, 23, 10)
    late.save(update_fields=["status", "closure_code", "resolved_at", "closed_at"])
    frozen.shift(timedelta(hours=1))
    collect_all()
    same_day = kpi_snapshots.figures(["closed_rate"], OCTOBER).figures[0]
    frozen.move_to(datetime(2026, 11, 24, 1, 0, tzinfo=SHANGHAI))
    collect_all()
    next_night = kpi_snapshots.figures(["closed_rate"], OCTOBER)

    assert (closed_before.numerator, closed_before.denominator) == (3, 5)
    assert same_day == closed_before
    assert (next_night.figures[0].numerator, next_night.figures[0].denominator) == (4, 5)
    assert next_night.as_of == datetime(2026, 11, 24, 1, 0, tzinfo=SHANGHAI)


def test_without_a_snapshot_the_figures_are_computed_live(history, cast):
    collected = kpi_snapshots.figures(None, OCTOBER, Filters(customer=cast.customer.pk))
    assert collected.as_of is None
    assert collected.figures == kpis.compute(None, OCTOBER,
                                             filters=Filters(customer=cast.customer.pk))
    assert KpiSnapshot.objects.count() == 0


def test_a_period_that_is_not_a_whole_month_is_computed_live(history):
    collect_all()
    week = Period.custom(at(10, 1).date(), at(10, 7).date())
    assert kpi_snapshots.figures(None, week).as_of is None


def test_a_stale_current_month_is_not_shown(history, frozen):
    """The worker stopped: after a quarter of an hour the scorecard computes
    the current month itself rather than show old figures as current."""
    collect_all()
    history.resolved(at(11, 22), 1)
    frozen.shift(timedelta(minutes=10))
    assert kpi_snapshots.figures(["incidents_total"], NOVEMBER).figures[0].value == 4

    frozen.shift(timedelta(minutes=6))

    late = kpi_snapshots.figures(["incidents_total"], NOVEMBER)
    assert late.as_of is None and late.figures[0].value == 5


def test_a_snapshot_missing_a_kpi_is_not_used(history):
    collect_all()
    snapshot = KpiSnapshot.objects.get(month=OCTOBER.first_day, scope="")
    snapshot.figures = [row for row in snapshot.figures if row[0] != "answer_rate"]
    snapshot.save()
    assert kpi_snapshots.figures(None, OCTOBER).as_of is None
    assert kpi_snapshots.figures(["closed_rate"], OCTOBER).as_of is not None


def test_the_dashboard_panels_read_the_snapshots_and_say_when(history, cast):
    collect_all()
    history.resolved(at(10, 20), 2)  # after the collection

    with translation.override("en"):
        scorecard = run("kpi_scorecard", cast.leader_ma)
        trend = run("kpi_trend", cast.leader_ma)
        october = run("kpi_scorecard", cast.leader_ma, period="month", year=2026, month=10)

    assert "Figures as of 2026-11-23 10:00." in scorecard.note
    assert "Figures as of 2026-11-23 10:00." in trend.note
    assert october.rows[0][1].text == "4"  # the snapshot's total, not the live 5
    assert "Figures as of" in october.note


def test_the_dashboard_panels_compute_live_without_snapshots(history, cast):
    with translation.override("en"):
        scorecard = run("kpi_scorecard", cast.leader_ma, team=cast.l2.pk)
    assert "as of" not in scorecard.note
    assert scorecard.rows[0][1].text == "2"


def test_the_monthly_report_trend_reads_earlier_months_and_its_own_month_live(history, cast):
    collect_all()
    history.resolved(at(10, 20), 2)
    history.resolved(at(9, 20), 2)

    with translation.override("en"):
        section = monthly.trends(OCTOBER, Filters())

    totals = [row.cells[1].value for row in section.rows]  # November 2025 … October 2026
    assert totals[-1] == 5  # the report's month: live, as its KPI table
    assert totals[-2] == 0  # September from its snapshot, before the late ticket
    assert section.note.startswith("Figures as of")


def test_the_worker_runs_the_collection(history):
    handler = next(h for h in handlers.handlers() if h.name == "kpi-snapshots")
    assert handler.slow
    assert handler.handle_one() is True
    while handler.handle_one():
        pass
    assert not KpiSnapshot.objects.filter(collected_at=None).exists()


@pytest.mark.postgres_only
def test_two_workers_never_collect_the_same_snapshot(tx_cast):
    Records(tx_cast).resolved(at(10, 2), 3)
    barrier = threading.Barrier(2)

    def worker() -> list:
        barrier.wait()
        try:
            return collect_all()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(2) as pool:
        runs = [pool.submit(worker) for _ in range(2)]
        first, second = (run.result(timeout=120) for run in runs)

    teams = Team.objects.count()
    assert first and second  # both took part
    assert len(first) + len(second) == len(set(first) | set(second)) == wanted(teams)
    assert KpiSnapshot.objects.count() == wanted(teams)
    assert connection.vendor == "postgresql"


def test_a_collection_that_fails_leaves_nothing_half_written(history, monkeypatch):
    def crash(*args, **kwargs):
        raise RuntimeError("the worker died here")

    monkeypatch.setattr(kpis, "compute", crash)
    with pytest.raises(RuntimeError):
        kpi_snapshots.collect_one()
    assert not KpiSnapshot.objects.exclude(collected_at=None).exists()
    assert not KpiSnapshot.objects.filter(figures__isnull=False).exists()

    monkeypatch.undo()
    assert kpi_snapshots.collect_one() is not None
