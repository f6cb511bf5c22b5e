"""The incident manager's view in a real browser (issue 3): a ticket whose
clocks ran out shows in the breached section with the red badge, the queue
colours each row's time left, and the manager takes the ticket over."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from opsdesk.core import clock

pytestmark = pytest.mark.browser

RED = "rgb(180, 35, 24)"
GREEN = "rgb(216, 242, 223)"


@pytest.fixture
def tickets(people):
    """Logged before the browser starts (see the desk fixture). P2 tickets
    (high impact, high urgency) run on the 7×24 calendar, so "three hours ago"
    is overdue, and "now" is on time, at any hour of any day."""
    with clock.frozen_at(clock.now() - timedelta(hours=3)):
        late = people.log(title="核心交易系统登录缓慢", impact="high")
    on_time = people.log(title="打印机卡纸", impact="high")
    return late.number, on_time.number


def test_the_manager_sees_the_breach_in_red_and_takes_the_ticket(tickets, desk, people):
    late, on_time = tickets
    page = desk.sign_in(people.lead_wang, "en")
    page.get_by_test_id("nav-monitor").click()

    breached = page.get_by_test_id("monitor-breached")
    row = breached.locator(f'[data-testid="monitor-row"][data-number="{late}"]')
    badge = row.locator(".badge.sla")
    expect(badge).to_have_attribute("data-state", "breached")
    expect(badge).to_have_css("background-color", RED)
    expect(breached.locator(f'[data-number="{on_time}"]')).to_have_count(0)

    page.goto("/incidents/?queue=open")
    queue = page.get_by_test_id("queue-table")
    expect(queue.locator(f'[data-number="{late}"] .badge.sla')).to_have_css(
        "background-color", RED)
    fresh_badge = queue.locator(f'[data-number="{on_time}"] .badge.sla')
    expect(fresh_badge).to_have_attribute("data-state", "ok")
    expect(fresh_badge).to_have_css("background-color", GREEN)

    page.get_by_test_id("nav-monitor").click()
    page.get_by_test_id("monitor-breached").locator(
        f'[data-number="{late}"] [data-testid="intervene"]').click()
    expect(page.get_by_test_id("message")).to_contain_text("Intervene")
    expect(page.locator("body")).to_contain_text("took the incident over as a manager")
