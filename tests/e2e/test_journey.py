"""The main journey through the agent console in a real browser (issue 2): a
phone call is logged and dispatched to L2, the engineer accepts it and
resolves it with a workaround, the requester rejects that, the copy goes back
to the same engineer, who resolves it, the requester confirms, and both
tickets end closed. Once with the console in Chinese (the default), once
switched to English.

State is read from stable hooks (data-status, data-testid); labels are
compared with what the console shows in the page's language, so the Chinese
walk keeps passing before and after the zh-Hans catalogue lands. Domain data
(titles, teams, names) is Chinese in both walks."""

import re

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from opsdesk.incidents.choices import ClosureCode, Status

from .conftest import fill_form

TITLE = "网银系统登录缓慢"
WORKAROUND = "已重启应用服务器，登录暂时恢复正常"
REJECTION = "客户来电：今天上午登录仍然需要一分钟以上"
FIX = "更换故障磁盘并重建索引，登录耗时恢复到两秒以内"
CONFIRMATION = "客户确认问题已解决"


def label(choice, language: str) -> str:
    """The label the console shows in `language`: for zh-hans the catalogue's
    term (e.g. 不成功 for an unsuccessful closure) once it exists."""
    with translation.override(language):
        return str(choice.label)


class Console:
    """One signed-in user's view of the console, worded like their actions."""

    def __init__(self, page: Page, language: str):
        self.page = page
        self.language = language

    def log_phone_incident(self, people) -> str:
        page = self.page
        page.get_by_test_id("nav-new").click()
        form = page.get_by_test_id("new-incident")
        form.locator("#id_title").fill(TITLE)
        form.locator("#id_symptoms").fill("输入密码后页面一直转圈")
        form.locator("#id_description").fill("客户反映网银登录需要一分钟以上，影响柜台业务")
        expect(form.locator("#id_channel")).to_have_value("phone")
        form.locator("#id_customer").select_option(label=f"{people.customer.name} (VIP)")
        form.locator("#id_reporter_name").fill(people.requester_zhao.display_name)
        form.locator("#id_reporter_phone").fill("13800138000")
        form.locator("#id_impact").select_option("medium")
        form.locator("#id_urgency").select_option("high")
        # Seed 004's matrix: medium impact, high urgency is priority 3.
        expect(page.get_by_test_id("priority-preview")).to_contain_text("P3")
        form.locator("#id_category").select_option(label=people.category.name)
        form.locator("#id_ci").select_option(label=people.ci.name)
        page.get_by_test_id("submit-new").click()
        number = page.get_by_test_id("incident-number")
        expect(number).to_have_text(re.compile(r"INC-\d{8}-\d{4}"))
        expect(page.get_by_test_id("message")).to_contain_text(number.inner_text())
        return number.inner_text()

    def open(self, number: str) -> None:
        self.page.get_by_test_id("search").fill(number)
        self.page.get_by_test_id("search").press("Enter")
        expect(self.page.get_by_test_id("incident-number")).to_have_text(number)

    def find_in_queue(self, queue: str, number: str) -> None:
        """Open the incident from a queue tab, the way the person would find it."""
        self.page.get_by_test_id("nav-queue").click()
        self.page.get_by_test_id(f"queue-{queue}").click()
        row = self.page.locator(f'[data-testid="queue-row"][data-number="{number}"]')
        expect(row).to_contain_text(TITLE)
        row.get_by_role("link", name=number).click()
        expect(self.page.get_by_test_id("incident-number")).to_have_text(number)

    def act(self, action: str, **fields) -> None:
        """Submit one action form; fields map input names to values
        (select elements take option values)."""
        panel = self.page.locator(f"#panel-{action}")
        summary = panel.locator("summary")
        if summary.count():
            summary.click()
        fill_form(self.page.get_by_test_id(f"action-{action}"), fields)
        with self.page.expect_navigation():
            self.page.get_by_test_id(f"submit-{action}").click()
        refused = self.page.get_by_role("alert").all_inner_texts()
        assert not refused, f"{action} was refused: {refused}"
        expect(self.page.get_by_test_id("message")).to_be_visible()

    def expect_status(self, status: Status) -> None:
        badge = self.page.get_by_test_id("status").locator("[data-status]")
        expect(badge).to_have_attribute("data-status", status.value)
        expect(badge).to_have_text(label(status, self.language))

    def expect_closure_code(self, code: ClosureCode) -> None:
        expect(self.page.get_by_test_id("closure-code")).to_have_text(label(code, self.language))

    def expect_timeline(self, *kinds: str) -> None:
        events = self.page.get_by_test_id("timeline").get_by_test_id("event")
        expect(events).to_have_count(len(kinds))
        for event, kind in zip(events.all(), kinds, strict=True):
            expect(event).to_have_attribute("data-kind", kind)

    def expect_no_action_forms(self) -> None:
        expect(self.page.get_by_test_id("no-actions")).to_be_visible()
        expect(self.page.locator("form[data-testid^='action-']")).to_have_count(0)


def walk(desk, people, switch_to: str | None = None) -> tuple[Console, str, str]:
    """The journey, each person first switching the console to `switch_to` if
    given; returns the agent's console and the original's and copy's numbers."""
    language = switch_to or "zh-hans"
    agent = Console(desk.sign_in(people.agent_li, language=switch_to), language)
    engineer = Console(desk.sign_in(people.engineer_chen, language=switch_to), language)

    original = agent.log_phone_incident(people)
    agent.expect_status(Status.NEW)
    agent.act("assign", team=str(people.l2.pk))
    agent.expect_status(Status.ASSIGNED)
    expect(agent.page.get_by_test_id("team")).to_contain_text(people.l2.name)

    engineer.find_in_queue("team", original)
    engineer.act("accept")
    engineer.expect_status(Status.IN_PROGRESS)
    expect(engineer.page.get_by_test_id("assignee")).to_have_text(people.engineer_chen.display_name)
    engineer.act("resolve", closure_code=ClosureCode.WORKAROUND.value, solution=WORKAROUND,
                 problem="new")
    engineer.expect_status(Status.RESOLVED)
    engineer.expect_closure_code(ClosureCode.WORKAROUND)
    expect(engineer.page.get_by_test_id("solution")).to_have_text(WORKAROUND)

    agent.open(original)
    agent.expect_status(Status.RESOLVED)
    agent.act("reject", reason=REJECTION)
    agent.expect_status(Status.CLOSED)
    agent.expect_closure_code(ClosureCode.UNSUCCESSFUL)
    copy_link = agent.page.get_by_test_id("link-copy")
    expect(copy_link).to_have_text(re.compile(r"INC-\d{8}-\d{4}"))
    copy = copy_link.inner_text()
    assert copy != original
    expect(copy_link).to_have_attribute("href", f"/incidents/{copy}/")
    expect(agent.page.get_by_test_id("message").get_by_role("link", name=copy)).to_be_visible()
    agent.expect_timeline("logged", "assigned", "accepted", "resolved", "problem_linked",
                          "rejected")
    rejected = agent.page.locator('[data-kind="rejected"]')
    expect(rejected).to_contain_text(REJECTION)
    expect(rejected.get_by_role("link", name=copy)).to_be_visible()
    agent.expect_no_action_forms()

    copy_link.click()
    expect(agent.page.get_by_test_id("incident-number")).to_have_text(copy)
    agent.expect_status(Status.ASSIGNED)
    expect(agent.page.get_by_test_id("incident-title")).to_have_text(TITLE)
    expect(agent.page.get_by_test_id("team")).to_contain_text(people.l2.name)
    expect(agent.page.get_by_test_id("assignee")).to_have_text(people.engineer_chen.display_name)
    expect(agent.page.get_by_test_id("link-copied-from")).to_have_text(original)

    engineer.find_in_queue("mine", copy)
    engineer.expect_status(Status.ASSIGNED)
    engineer.act("resolve", closure_code=ClosureCode.SUCCESSFUL.value, solution=FIX)
    engineer.expect_status(Status.RESOLVED)

    agent.open(copy)
    agent.act("confirm", note=CONFIRMATION)
    agent.expect_status(Status.CLOSED)
    agent.expect_closure_code(ClosureCode.SUCCESSFUL)
    agent.expect_timeline("logged", "resolved", "confirmed")
    expect(agent.page.locator('[data-kind="confirmed"]')).to_contain_text(CONFIRMATION)
    agent.expect_no_action_forms()

    agent.open(original)
    agent.expect_status(Status.CLOSED)
    agent.expect_closure_code(ClosureCode.UNSUCCESSFUL)
    return agent, original, copy


@pytest.mark.browser
def test_the_journey_in_chinese_from_phone_call_through_rejection_to_closure(desk, people):
    agent, original, _copy = walk(desk, people)

    page = agent.page
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_test_id("language-zh-hans")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_test_id("current-user")).to_contain_text(people.agent_li.display_name)
    expect(page.get_by_test_id("incident-title")).to_have_text(TITLE)
    expect(page.get_by_test_id("solution")).to_have_text(WORKAROUND)
    # SPEC INC-16's own term for a rejected resolution.
    expect(page.get_by_test_id("closure-code")).to_have_text("不成功")
    desk.screenshot(page, f"journey-zh-hans-{original}")


@pytest.mark.browser
def test_the_same_journey_in_english_after_the_language_switch(desk, people):
    agent, original, copy = walk(desk, people, switch_to="en")

    page = agent.page
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("nav-new")).to_have_text("New incident")
    expect(page.get_by_test_id("status")).to_have_text("Closed")
    expect(page.get_by_test_id("closure-code")).to_have_text("Unsuccessful")
    expect(page.get_by_test_id("links")).to_contain_text(f"Reopened as copy {copy}")
    expect(page.locator('[data-kind="rejected"]')).to_contain_text(
        "recorded the requester’s rejection and closed the incident as unsuccessful"
    )
    expect(page.get_by_test_id("no-actions")).to_have_text(
        "This incident is closed and can no longer be changed."
    )
    # The choice is kept on the profile, so it follows the agent to another browser.
    again = desk.sign_in(people.agent_li)
    again.goto(f"/incidents/{original}/")
    expect(again.locator("html")).to_have_attribute("lang", "en")
