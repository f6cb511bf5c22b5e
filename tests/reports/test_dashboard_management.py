"""The management dashboard: the KPI engine's figures against targets, a
twelve-month trend, and every figure linked to its tickets."""

from datetime import datetime
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

from django.urls import reverse
from django.utils import translation

from opsdesk.incidents import actions
from opsdesk.reports import kpis
from tests.incidents.helpers import Desk, act

from .dashboard_helpers import SHANGHAI, headlines, run, table, values


def rejected_once(cast):
    """Two tickets this month, the requester rejecting one's resolution: with
    its copy, three tickets of which one was re-opened."""
    desk = Desk(cast)
    desk.resolved(title="一次解决")
    rejected = desk.resolved(title="用户不认可")
    act(actions.reject, rejected, cast.agent_li, reason="问题依旧")


def test_the_scorecard_shows_every_kpi_against_its_target_with_its_tickets(cast):
    rejected_once(cast)

    with translation.override("en"):
        data = run("kpi_scorecard", cast.leader_ma)

    assert [row[0].text for row in data.rows] == [
        definition.label for definition in kpis.KPIS.values()]
    rows = {row[0].text: row for row in data.rows}
    first_time = rows[kpis.KPIS["first_time_resolution_rate"].label]
    assert [cell.text for cell in first_time[1:]] == ["66.7%", ">= 80.0%", "missed", "2", "3"]
    assert table(data)[0][1:2] == ["3"]  # incidents_total
    link = urlsplit(first_time[1].url)
    assert link.path == reverse("reports:kpi_tickets", args=["first_time_resolution_rate"])
    assert parse_qs(link.query) == {"period": ["month"], "year": ["2026"], "month": ["11"]}
    assert headlines(data)["first_time_resolution_rate"] == Decimal("66.67")
    assert set(headlines(data)) == {key for key, definition in kpis.KPIS.items()
                                    if definition.target is not None}


def test_the_drill_down_lists_the_tickets_behind_the_figure(cast, client):
    rejected_once(cast)
    data = run("kpi_scorecard", cast.leader_ma)
    total_url = data.rows[0][1].url
    client.force_login(cast.leader_ma)

    page = client.get(total_url)

    assert page.status_code == 200
    body = page.content.decode()
    assert body.count('href="/incidents/INC-') >= 3


def test_the_trend_shows_targeted_percentages_month_by_month(cast, frozen):
    frozen.move_to(datetime(2026, 9, 15, 10, tzinfo=SHANGHAI))
    Desk(cast).resolved(title="九月的事件")
    frozen.move_to(datetime(2026, 11, 23, 10, tzinfo=SHANGHAI))
    rejected_once(cast)

    data = run("kpi_trend", cast.leader_ma)

    assert data.labels == ["2025-12", *(f"2026-{month:02d}" for month in range(1, 12))]
    first_time = values(data)["first_time_resolution_rate"]
    assert first_time[:9] == [None] * 9 and first_time[10] is None
    assert first_time[9] == Decimal(100)
    assert first_time[11] == Decimal("66.67")
    september = urlsplit(data.series[[s.key for s in data.series].index(
        "first_time_resolution_rate")].urls[9])
    assert parse_qs(september.query) == {"period": ["month"], "year": ["2026"], "month": ["9"]}
    assert set(values(data)) <= {key for key, definition in kpis.KPIS.items()
                                 if definition.target is not None}
    october = run("kpi_trend", cast.leader_ma, period="month", year=2026, month=10)
    assert october.labels[-1] == "2026-10"
    assert values(october)["first_time_resolution_rate"][-2] == Decimal(100)
