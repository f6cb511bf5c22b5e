"""The dashboards in a real browser: each draws its charts (Chart.js on a
canvas) with a table view behind a toggle, refreshes its panels from the API
every minute, and a KPI figure drills down to its tickets."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

DRAWN = "canvas => !!window.Chart.getChart(canvas)"


@pytest.fixture
def tickets(people):
    """Logged before the browser starts (see the desk fixture)."""
    return [people.log(title="网银系统登录缓慢").number,
            people.log(title="核心交易系统中断", impact="high", urgency="critical").number]


def chart_is_drawn(panel) -> None:
    canvas = panel.get_by_test_id("chart")
    expect(canvas).to_be_visible()
    assert canvas.evaluate(DRAWN)
    box = canvas.bounding_box()
    assert box["width"] > 100 and box["height"] > 100


def test_each_dashboard_draws_charts_with_a_table_view(tickets, desk, people):
    page = desk.sign_in(people.lead_wang, "en")
    page.get_by_test_id("nav-dashboards").click()
    expect(page).to_have_url(re.compile(r"/reports/dashboards/service-desk/$"))

    open_panel = page.get_by_test_id("panel-open_by_priority")
    chart_is_drawn(open_panel)
    table = open_panel.get_by_test_id("table-view")
    expect(table).to_be_hidden()
    open_panel.get_by_test_id("toggle-table").click()
    expect(table).to_be_visible()
    expect(open_panel.get_by_test_id("chart")).to_be_hidden()
    expect(table.locator("tbody tr").filter(has_text="P1")).to_contain_text("1")
    expect(open_panel.get_by_test_id("headlines")).to_contain_text("2")
    desk.screenshot(page, "dashboard-service-desk")

    page.get_by_test_id("dashboard-incident-manager").click()
    chart_is_drawn(page.get_by_test_id("panel-sla_compliance"))
    expect(page.get_by_test_id("panel-major_incidents").locator("table")).to_be_visible()
    desk.screenshot(page, "dashboard-incident-manager")

    page.get_by_test_id("dashboard-management").click()
    chart_is_drawn(page.get_by_test_id("panel-kpi_trend"))
    desk.screenshot(page, "dashboard-management")


def test_a_kpi_figure_drills_down_to_its_tickets(tickets, desk, people):
    page = desk.sign_in(people.leader_ma, "en")
    page.goto("/reports/dashboards/management/")
    scorecard = page.get_by_test_id("panel-kpi_scorecard")
    total = scorecard.locator("tbody tr").filter(has_text="Total incidents")
    expect(total.locator("td").first).to_have_text("2")
    total.locator("td a").first.click()
    expect(page).to_have_url(re.compile(r"/reports/kpis/incidents_total/tickets/"))
    for number in tickets:
        expect(page.locator("body")).to_contain_text(number)


def test_panels_refresh_every_minute_without_reloading(tickets, desk, people):
    page = desk.sign_in(people.agent_li, "en")
    page.clock.install()
    page.goto("/reports/dashboards/service-desk/")
    expect(page.get_by_test_id("dashboard-management")).to_have_count(0)
    chart_is_drawn(page.get_by_test_id("panel-backlog_trend"))
    page.evaluate("document.body.dataset.loadedOnce = 'yes'")
    with page.expect_response(re.compile(r"/api/v1/reports/panels/intake_today")) as answer:
        page.clock.run_for(61_000)
    assert answer.value.ok
    expect(page.get_by_test_id("refreshed-at")).not_to_be_empty()
    assert page.evaluate("document.body.dataset.loadedOnce") == "yes"
