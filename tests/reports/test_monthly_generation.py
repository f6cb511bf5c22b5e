"""Generating and storing the monthly report: the XLSX and the PDF read
back, once per month and scope however often and by however many it is
asked, on the first working day of the month, and crash-safe."""

import subprocess
import threading
from datetime import UTC, date, datetime
from io import BytesIO

import pytest
import time_machine
from django.db import connection
from openpyxl import load_workbook

from opsdesk.core.errors import Forbidden, Invalid
from opsdesk.core.models import TimelineEvent
from opsdesk.reports import monthly_actions, pdf
from opsdesk.reports.handlers import MonthlyReports
from opsdesk.reports.models import GeneratedReport, ReportFile, ReportState
from opsdesk.reports.periods import Period
from opsdesk.sla.models import BusinessCalendar, CalendarException

from .monthly_helpers import english, october  # noqa: F401

OCTOBER = Period.month(2026, 10)


def shanghai(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour - 8, tzinfo=UTC)


def stored(report, format: str) -> bytes:
    return bytes(ReportFile.objects.get(report=report, format=format).content)


def pdf_text(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode()


def run_worker() -> int:
    """Give the report handler turns until it has nothing to do."""
    handler, turns = MonthlyReports(), 0
    while handler.handle_one():
        turns += 1
    return turns


@pytest.mark.usefixtures("english")
def test_the_xlsx_has_a_sheet_per_section_with_numbers_as_numbers(cast):
    october(cast)
    report = monthly_actions.generate_now(OCTOBER, cast.customer, actor=cast.lead_wang,
                                          source="web")

    book = load_workbook(BytesIO(stored(report, "xlsx")))
    assert book.sheetnames[:4] == ["Report", "KPIs against targets", "Trends over 12 months",
                                   "Top categories"]
    assert book["Report"]["A1"].value == "Monthly service report October 2026 · 华信证券"
    kpis = book["KPIs against targets"]
    assert [cell.value for cell in kpis[1]] == ["KPI", "Area", "Value", "Numerator",
                                                "Denominator", None, "Target", "Target met"]
    rows = {row[0].value: row for row in kpis.iter_rows(min_row=2) if row[0].value}
    assert rows["Total incidents"][2].value == 5
    first_time = rows["First-time resolution rate"]
    assert (first_time[2].value, first_time[2].number_format) == (1.0, "0.00%")
    assert (first_time[6].value, first_time[7].value) == (0.8, "Met")
    categories = book["Top categories"]
    assert [[cell.value for cell in row] for row in categories.iter_rows(min_row=2, max_row=3)
            ] == [["虚拟机磁盘变更", 3, 0.6], ["网络故障", 2, 0.4]]
    workarounds = book["Closed with a workaround"]
    assert workarounds["E2"].value == datetime(2026, 10, 26, 10, 0)  # Beijing time


@pytest.mark.usefixtures("english")
def test_the_pdf_is_text_with_the_kpi_names_and_chinese_rendered(cast):
    october(cast)
    report = monthly_actions.generate_now(OCTOBER, cast.customer, actor=cast.lead_wang,
                                          source="web")

    data = stored(report, "pdf")
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    for phrase in ("Monthly service report October 2026 · 华信证券", "KPIs against targets",
                   "Total incidents", "First-time resolution rate", "虚拟机磁盘变更",
                   "上海张江机房", "Satisfaction by location"):
        assert phrase in text
    assert "明达" not in text


@pytest.mark.usefixtures("english")
def test_regenerating_replaces_the_files_of_the_one_stored_report(cast, frozen):
    october(cast)
    first = monthly_actions.generate_now(OCTOBER, None, actor=cast.lead_wang, source="web")
    first_pdf = stored(first, "pdf")
    again = monthly_actions.generate_now(OCTOBER, None, actor=None, source="cli")

    assert again.pk == first.pk
    assert GeneratedReport.objects.count() == 1
    assert ReportFile.objects.filter(report=first).count() == 2
    assert stored(again, "pdf") != b"" and first_pdf.startswith(b"%PDF-")
    events = TimelineEvent.objects.filter(subject_type="monthly_report", subject_id=first.pk)
    assert [(e.kind, e.actor_id, e.source) for e in events.order_by("id")] == [
        ("generated", cast.lead_wang.pk, "web"), ("regenerated", None, "cli")]


def test_only_managers_generate_and_only_months_that_have_begun(cast):
    with pytest.raises(Forbidden):
        monthly_actions.generate_now(OCTOBER, None, actor=cast.agent_li, source="web")
    with pytest.raises(Invalid):
        monthly_actions.generate_now(Period.month(2026, 12), None, actor=cast.lead_wang,
                                     source="web")
    assert not GeneratedReport.objects.exists()


@pytest.mark.parametrize(("year", "month", "first"), [
    (2026, 10, date(2026, 10, 8)),  # National Day: October 1st-7th are holidays
    (2026, 1, date(2026, 1, 4)),  # New Year: the 1st-3rd off, Sunday the 4th is worked (调休)
    (2026, 2, date(2026, 2, 2)),  # Sunday the 1st: Monday
    (2026, 11, date(2026, 11, 2)),
])
def test_the_first_working_day_follows_the_official_holidays(db, year, month, first):
    assert monthly_actions.first_working_day(year, month) == first


def test_the_first_working_day_follows_the_calendars_own_exceptions(db):
    workdays = BusinessCalendar.objects.get(code="workdays")
    CalendarException.objects.create(calendar=workdays, date=date(2026, 10, 8),
                                     kind="holiday", name="机房搬迁")
    assert monthly_actions.first_working_day(2026, 10) == date(2026, 10, 9)


def test_last_months_reports_are_queued_on_the_first_working_day_once(cast):
    october(cast)  # 华信证券 has an incident on September 30th
    with time_machine.travel(shanghai(10, 7), tick=False):
        assert monthly_actions.schedule_due() is None
    with time_machine.travel(shanghai(10, 8), tick=False):
        queued = monthly_actions.schedule_due()
        assert monthly_actions.schedule_due() is None
    assert [(r.month, r.customer, r.state) for r in queued] == [
        (date(2026, 9, 1), None, "pending"), (date(2026, 9, 1), cast.customer, "pending")]


def test_the_worker_generates_the_queued_reports_and_then_rests(cast):
    october(cast)
    with time_machine.travel(shanghai(11, 2), tick=False):
        assert run_worker() == 1 + 3  # queue, then the service, 华信证券 and 明达物流
        assert MonthlyReports().handle_one() is False
    reports = GeneratedReport.objects.filter(month=date(2026, 10, 1))
    assert sorted((str(r.customer or ""), r.state) for r in reports) == [
        ("", "ready"), ("华信证券", "ready"), ("明达物流", "ready")]
    assert ReportFile.objects.count() == 6


def test_a_report_made_before_the_month_ended_is_made_again_by_the_schedule(cast):
    october(cast)
    with time_machine.travel(shanghai(10, 20), tick=False):
        early = monthly_actions.generate_now(OCTOBER, None, actor=cast.lead_wang,
                                             source="web")
    with time_machine.travel(shanghai(11, 2), tick=False):
        run_worker()
    early.refresh_from_db()
    assert early.generated_at == shanghai(11, 2)
    assert GeneratedReport.objects.filter(month=date(2026, 10, 1), customer=None).count() == 1


def test_a_failed_generation_stores_nothing_and_is_retried_later(cast, monkeypatch):
    october(cast)

    def broken(report):
        raise RuntimeError("font cache unreadable")

    with time_machine.travel(shanghai(11, 2), tick=False) as traveller:
        monthly_actions.schedule_due()
        monkeypatch.setattr(pdf, "document", broken)
        failed = monthly_actions.generate_one()
        failed.refresh_from_db()
        assert (failed.state, failed.attempts) == (ReportState.PENDING, 1)
        assert "font cache unreadable" in failed.last_error
        assert not ReportFile.objects.filter(report=failed).exists()
        assert failed.next_attempt_at > shanghai(11, 2)
        monkeypatch.undo()
        traveller.shift(60)
        run_worker()
    failed.refresh_from_db()
    assert (failed.state, failed.attempts, failed.last_error) == (ReportState.READY, 0, "")


@pytest.mark.postgres_only
def test_two_workers_make_each_report_once(tx_cast):
    october(tx_cast)
    errors = []

    def worker():
        try:
            run_worker()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    with time_machine.travel(shanghai(11, 2), tick=False):
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    reports = GeneratedReport.objects.filter(month=date(2026, 10, 1))
    assert reports.count() == 3 and set(reports.values_list("state", flat=True)) == {"ready"}
    assert TimelineEvent.objects.filter(subject_type="monthly_report").count() == 3
