"""The monthly report's figures against a hand-built October (RPT-01,
INC-19, INC-21, PRB-06), and the customer scope that never lets another
customer's tickets in."""

import pytest

from opsdesk.reports import kpis, monthly
from opsdesk.reports.periods import Period

from .monthly_helpers import cells, english, everything_shown, october  # noqa: F401

OCTOBER = Period.month(2026, 10)


def kpi(report, label: str) -> tuple[str, ...]:
    return next(row for row in cells(report, "kpis") if row[0] == label)


@pytest.mark.usefixtures("english")
def test_the_customer_report_counts_the_months_tickets_of_that_customer(cast):
    month = october(cast)
    report = monthly.build(OCTOBER, cast.customer)

    assert report.title == "Monthly service report October 2026 · 华信证券"
    # 3 on vm-web-01, db-01's fault and the workaround: no duplicate, nothing
    # of September 30th or November 1st, nothing of 明达物流.
    assert kpi(report, "Total incidents")[2] == "5"
    assert kpi(report, "First-time resolution rate")[2:] == (
        "100.0%", "5", "5", ">=", "80.0%", "Met")
    assert cells(report, "top_categories") == [("虚拟机磁盘变更", "3", "60.0%"),
                                               ("网络故障", "2", "40.0%")]
    assert cells(report, "top_cis") == [("vm-web-01", "3", "60.0%"), ("db-01", "2", "40.0%")]
    numbers = [i.number for i in month.repeated]
    assert cells(report, "repeated") == [
        ("vm-web-01", "虚拟机磁盘变更", "3", ", ".join(numbers), "none"),
        ("db-01", "网络故障", "2", f"{month.database.number}, {month.workaround.number}",
         month.problem.number),
    ]
    (workaround,) = report.section("workarounds").rows
    assert workaround.cells[:4] == (month.workaround.number, "数据库连接池耗尽", "华信证券",
                                    "二线系统组")
    assert workaround.cells[5] == month.problem.number
    assert workaround.link == month.workaround.get_absolute_url()
    assert cells(report, "problems") == [("0", "1", "0", "0.0%")]


@pytest.mark.usefixtures("english")
def test_sla_compliance_is_counted_per_priority_over_the_tickets_resolved_in_the_month(
        cast):
    october(cast)
    report = monthly.build(OCTOBER, cast.customer)

    assert cells(report, "sla") == [
        ("P1 · critical", "0", "0", "—", "0", "—"),
        ("P2 · high", "1", "1", "100.0%", "0", "0.0%"),
        ("P3 · medium", "3", "3", "100.0%", "3", "100.0%"),
        ("P4 · low", "0", "0", "—", "0", "—"),
        ("All priorities", "4", "4", "100.0%", "3", "75.0%"),
    ]


@pytest.mark.usefixtures("english")
def test_satisfaction_is_analysed_by_location_and_type_with_the_complaints(cast):
    month = october(cast)
    report = monthly.build(OCTOBER, cast.customer)

    assert cells(report, "satisfaction_location") == [("上海张江机房", "1", "2.00", "1"),
                                                      ("北京亦庄机房", "1", "5.00", "0")]
    assert cells(report, "satisfaction_type") == [("网络故障", "1", "2.00", "1"),
                                                  ("虚拟机磁盘变更", "1", "5.00", "0")]
    assert cells(report, "complaints") == [
        (month.database.number, "测试事件", "华信证券", "2", "1", "")]
    assert kpi(report, "Service desk satisfaction")[2:5] == ("3.50", "7", "2")


@pytest.mark.usefixtures("english")
def test_a_customers_report_never_shows_another_customers_tickets(cast):
    month = october(cast)

    mine = everything_shown(monthly.build(OCTOBER, cast.customer))
    whole = everything_shown(monthly.build(OCTOBER))

    for trace in (month.foreign.number, "明达", "mingda-wms-01", "广州南沙仓库"):
        assert trace not in mine
        assert trace in whole


@pytest.mark.usefixtures("english")
def test_the_whole_service_report_adds_the_ola_table_and_the_problem_kpis(cast):
    october(cast)
    whole = monthly.build(OCTOBER)
    mine = monthly.build(OCTOBER, cast.customer)

    keys = [section.key for section in whole.sections]
    assert keys == ["kpis", "trends", "top_categories", "top_cis", "repeated", "workarounds",
                    "problems", "sla", "ola", "satisfaction_location", "satisfaction_type",
                    "complaints", "changes", "failed_changes"]
    assert "ola" not in [section.key for section in mine.sections]
    # Problems belong to no customer: their KPIs are the whole service's only.
    assert kpi(whole, "Problems")[2] == "1"
    assert "Problems" not in [row[0] for row in cells(mine, "kpis")]
    assert kpi(whole, "Total incidents")[2] == "6"


@pytest.mark.usefixtures("english")
def test_the_trend_runs_over_twelve_months_ending_with_the_report_month(cast):
    october(cast)
    trend = monthly.build(OCTOBER, cast.customer).section("trends")

    assert trend.columns[:3] == ("Month", "Total incidents", "Closed incidents")
    months = [row.cells[0] for row in trend.rows]
    assert (len(months), months[0], months[-1]) == (12, "November 2025", "October 2026")
    assert [str(row.cells[1]) for row in trend.rows[-2:]] == ["1", "5"]  # Sep 30th, October


@pytest.mark.usefixtures("english")
def test_kpis_with_a_target_say_whether_it_was_met_and_link_to_their_tickets(cast):
    october(cast)
    rows = {row.cells[0]: row for row in monthly.build(OCTOBER, cast.customer)
            .section("kpis").rows}

    resolve_or_escalate = rows["Ticket resolve-or-escalate rate"]
    assert resolve_or_escalate.met is False
    assert resolve_or_escalate.cells[5:] == (">=", resolve_or_escalate.cells[6], "Missed")
    assert str(resolve_or_escalate.cells[6]) == "90.0%"
    assert rows["Total incidents"].met is None
    assert rows["Total incidents"].link == kpis.drilldown_url(
        "incidents_total", OCTOBER, filters=kpis.Filters(customer=cast.customer.pk))
