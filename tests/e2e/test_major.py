"""Browser walk (INC-12): the incident manager declares a major incident on
a P1, the contingency plan of its configuration item is attached, the team
follows a step and posts an update, the emergency is lifted and the report
is read."""

import pytest
from playwright.sync_api import expect

from opsdesk.major import plans

from .conftest import fill_form

pytestmark = pytest.mark.browser


@pytest.fixture
def p1_with_plan(people):
    plans.create_plan(plans.PlanDraft(
        name="云主机应急预案", trigger_conditions="云主机不可用", cis=[people.ci],
        steps=["确认影响范围", "切换到备用主机"], contacts=[("王芳", "事件经理", "13910000010")]),
        actor=people.lead_wang, source="web")
    return people.log(title="核心交易系统中断", impact="high", urgency="critical")


def test_declare_follow_the_plan_lift_and_read_the_report(people, p1_with_plan, desk):
    page = desk.sign_in(people.lead_wang, language="en")
    page.goto(f"/incidents/{p1_with_plan.number}/")
    panel = page.get_by_test_id("major-panel")
    expect(panel.get_by_test_id("candidate-plan")).to_have_text("云主机应急预案")

    panel.get_by_text("Declare major incident").first.click()
    fill_form(panel.get_by_test_id("declare-major"), {
        "reason": "核心交易系统全部中断", "technical_lead": str(people.engineer_chen.pk)})
    panel.get_by_test_id("submit-declare").click()

    panel = page.get_by_test_id("major-panel")
    expect(panel.get_by_test_id("major-status")).to_have_text("Emergency in progress")
    expect(panel.get_by_test_id("team-member")).to_have_count(2)
    expect(panel.get_by_test_id("attached-plan")).to_have_text("云主机应急预案")
    expect(panel.get_by_test_id("plan-step")).to_have_count(2)

    first = panel.get_by_test_id("plan-step").first
    first.locator("[name=note]").fill("仅交易下单受影响")
    first.get_by_test_id("mark-step").click()
    expect(page.get_by_test_id("plan-step").first).to_have_attribute("data-done", "yes")
    expect(page.get_by_test_id("plan-step").first).to_contain_text("仅交易下单受影响")
    expect(page.locator('[data-kind="major_step_done"]')).to_have_count(1)

    page.get_by_test_id("update-form").locator("[name=text]").fill("已切换到备机，交易恢复中")
    page.get_by_test_id("post-update").click()
    expect(page.get_by_test_id("status-update")).to_contain_text("已切换到备机，交易恢复中")

    page.get_by_text("Confirm the emergency is lifted").click()
    fill_form(page.get_by_test_id("lift-form"), {"cause": "存储链路故障",
                                                 "summary": "切换到备机并更换光模块"})
    page.get_by_test_id("submit-lift").click()

    report = page.get_by_test_id("major-report")
    expect(report).to_contain_text(p1_with_plan.number)
    expect(page.get_by_test_id("report-cause")).to_have_text("存储链路故障")
    expect(page.get_by_test_id("report-summary")).to_have_text("切换到备机并更换光模块")
    expect(page.get_by_test_id("report-recovery")).to_contain_text("minute")
    expect(page.get_by_test_id("report-step").first).to_contain_text("仅交易下单受影响")
    expect(page.get_by_test_id("report-problem")).to_contain_text("PRB-")
    desk.screenshot(page, "major-incident-report")

    page.get_by_test_id("nav-major").click()
    expect(page.get_by_test_id("major-past").get_by_test_id("major-row")).to_have_count(1)
