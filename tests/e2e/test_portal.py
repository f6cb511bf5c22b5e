"""A requester's journey through the self-service portal in a real browser,
on a phone-sized screen (issue 4): she submits a fault with a screenshot,
is offered a known solution while typing, comments; the service desk
dispatches it and L2 resolves it; she rejects the resolution, sees the new
copy, later confirms its resolution and rates the service. The console then
shows her rating."""

import re

import pytest
from playwright.sync_api import Page, expect

from opsdesk.incidents import actions
from opsdesk.incidents.choices import ClosureCode, Status

from .test_journey import Console

TITLE = "交易终端无法连接行情服务器"
KNOWN_FIX = "在终端设置中切换到备用行情站点"
COMMENT = "今天上午又断开了两次，附上截图"
FIRST_FIX = "已重启行情网关"
REJECTION = "重启后十分钟又断开了"
FINAL_FIX = "更换了故障的网关网卡"
RATING_COMMENT = "工程师很耐心，问题彻底解决"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def known_fix(people):
    """An earlier, resolved incident of the same customer whose solution the
    portal can offer while she types."""
    incident = people.log(title="交易终端连接行情服务器超时", requester=None)
    for step, kwargs in ((actions.assign, {"team": people.l2}), (actions.accept, {}),
                         (actions.resolve, {"closure_code": ClosureCode.SUCCESSFUL,
                                            "solution": KNOWN_FIX})):
        actor = people.agent_li if step is actions.assign else people.engineer_chen
        incident = step(incident, actor=actor, source="web",
                        expected_version=incident.version, **kwargs)
    return incident


class Portal:
    """The requester's view, worded like what she does."""

    def __init__(self, page: Page):
        self.page = page

    def expect_status(self, status: Status) -> None:
        badge = self.page.get_by_test_id("ticket-status").locator("[data-status]")
        expect(badge).to_have_attribute("data-status", status.value)

    def submit(self, people) -> str:
        page = self.page
        page.get_by_test_id("portal-new").click()
        form = page.get_by_test_id("portal-submit")
        form.locator("#id_title").fill(TITLE)
        expect(page.get_by_test_id("known-solution")).to_contain_text("交易终端连接行情服务器超时")
        page.get_by_test_id("known-solution").locator("summary").click()
        expect(page.get_by_test_id("known-solution")).to_contain_text(KNOWN_FIX)
        form.locator("#id_description").fill("上午九点起交易终端提示连接超时")
        form.locator("#id_category").select_option(label=people.category.name)
        form.locator("#id_ci").select_option(label=people.ci.name)
        form.locator("#id_attachments").set_input_files(files=[
            {"name": "报错截图.png", "mimeType": "image/png", "buffer": b"\x89PNG screenshot"}])
        page.get_by_test_id("portal-submit-button").click()
        number = page.get_by_test_id("ticket-number")
        expect(number).to_have_text(re.compile(r"INC-\d{8}-\d{4}"))
        expect(page.get_by_test_id("attachment")).to_have_text("报错截图.png")
        return number.inner_text()

    def open(self, number: str) -> None:
        self.page.get_by_test_id("portal-my-tickets").click()
        self.page.locator(f'[data-testid="ticket-row"][data-number="{number}"] a').click()
        expect(self.page.get_by_test_id("ticket-number")).to_have_text(number)

    def comment(self, text: str) -> None:
        self.page.get_by_test_id("comment-form").locator("textarea").fill(text)
        self.page.get_by_test_id("comment-submit").click()
        expect(self.page.locator('[data-kind="comment"]')).to_contain_text(text)

    def answer(self, choice: str, field: str, text: str) -> None:
        panel = self.page.get_by_test_id(choice)
        panel.locator("summary").click()
        panel.locator(f"[name={field}]").fill(text)
        with self.page.expect_navigation():
            panel.get_by_test_id(f"{choice}-submit").click()


@pytest.mark.browser
def test_a_requester_submits_rejects_sees_the_copy_confirms_and_rates(people, known_fix, desk):
    requester = Portal(desk.sign_in(people.requester_zhao))
    requester.page.set_viewport_size(PHONE)
    expect(requester.page).to_have_url(re.compile(r"/portal/$"))
    agent = Console(desk.sign_in(people.agent_li), "zh-hans")
    engineer = Console(desk.sign_in(people.engineer_chen), "zh-hans")

    original = requester.submit(people)
    requester.expect_status(Status.NEW)
    requester.comment(COMMENT)

    agent.open(original)
    agent.act("assign", team=str(people.l2.pk))
    internal = agent.page.get_by_test_id("action-comment")  # open already, not public
    internal.locator("[name=body]").fill("内部：疑似行情网关故障")
    with agent.page.expect_navigation():
        agent.page.get_by_test_id("submit-comment").click()
    engineer.open(original)
    engineer.act("accept")
    engineer.act("resolve", closure_code=ClosureCode.SUCCESSFUL.value, solution=FIRST_FIX)

    requester.open(original)
    requester.expect_status(Status.RESOLVED)
    expect(requester.page.get_by_test_id("solution")).to_have_text(FIRST_FIX)
    expect(requester.page.get_by_test_id("timeline")).not_to_contain_text("疑似行情网关故障")
    expect(requester.page.get_by_test_id("timeline")).not_to_contain_text(people.l2.name)
    requester.answer("reject", "reason", REJECTION)

    copy = requester.page.get_by_test_id("ticket-number").inner_text()
    assert copy != original
    requester.expect_status(Status.ASSIGNED)
    expect(requester.page.get_by_test_id("copied-from-link")).to_have_text(original)
    requester.page.get_by_test_id("copied-from-link").click()
    requester.expect_status(Status.CLOSED)
    expect(requester.page.get_by_test_id("copy-link")).to_have_text(copy)
    expect(requester.page.get_by_test_id("survey")).to_have_count(0)

    engineer.open(copy)
    engineer.act("accept")
    engineer.act("resolve", closure_code=ClosureCode.SUCCESSFUL.value, solution=FINAL_FIX)

    requester.open(copy)
    expect(requester.page.get_by_test_id("solution")).to_have_text(FINAL_FIX)
    requester.answer("confirm", "note", "好了，谢谢")
    requester.expect_status(Status.CLOSED)
    survey = requester.page.get_by_test_id("survey-form")
    survey.get_by_test_id("score-5").click()
    survey.locator("[name=comment]").fill(RATING_COMMENT)
    with requester.page.expect_navigation():
        requester.page.get_by_test_id("survey-submit").click()
    expect(requester.page.get_by_test_id("survey-answer")).to_contain_text("5")
    expect(requester.page.locator('[data-kind="survey_answered"]')).to_contain_text(
        RATING_COMMENT)
    desk.screenshot(requester.page, f"portal-phone-{copy}")

    agent.open(copy)
    expect(agent.page.get_by_test_id("survey-score")).to_have_text("5 / 5")
    expect(agent.page.get_by_test_id("survey-comment")).to_have_text(RATING_COMMENT)
