"""Browser walk (CHG-01, CHG-02, CHG-05): an engineer raises an RFC, the
change manager convenes the CAB, the CAB members see that it conflicts with
another change in the same window and approve it; the requester sees it
approved."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from opsdesk.changes import actions
from opsdesk.core.choices import Role

from .conftest import fill_form

pytestmark = pytest.mark.browser


@pytest.fixture
def board(people):
    people.change_manager_xu = people._user("change_manager_xu", "徐丽", Role.CHANGE_MANAGER,
                                            None)
    people.service_manager_zheng = people._user("service_manager_zheng", "郑宏",
                                                Role.SERVICE_MANAGER, None)
    day = timezone.localdate() + timedelta(days=7)
    people.window = (datetime.combine(day, time(22)), datetime.combine(day, time(23)))
    start = timezone.make_aware(people.window[0])
    people.other = actions.create_change(
        actor=people.l2_colleague_sun, source="web", kind="normal", title="vm-web-01 系统补丁",
        reason="安全补丁", implementation_plan="打补丁", rollback_plan="卸载补丁",
        cis=[people.ci], planned_start=start - timedelta(minutes=30), planned_end=start +
        timedelta(minutes=30), risk_answers={"services": "one", "outage": "none",
                                               "users": "few", "experience": "routine",
                                               "testing": "full", "rollback": "tested"},
        and_submit=True)
    return people


def _open(page, action):
    panel = page.locator(f"#panel-{action}")
    if panel.locator("details[open]").count() == 0:
        panel.locator("summary").click()
    return page.get_by_test_id(f"action-{action}")


def _vote(page, number, comment):
    page.goto(f"/changes/{number}/")
    warning = page.get_by_test_id("vote-conflict-warning")
    expect(warning).to_contain_text("Overlaps")
    expect(warning).to_contain_text("vm-web-01 系统补丁")
    form = _open(page, "vote")
    form.locator("input[name=vote][value=approve]").check()
    form.locator("[name=comment]").fill(comment)
    page.get_by_test_id("submit-vote").click()
    expect(page.get_by_test_id("message")).to_contain_text("Done")


def test_an_rfc_goes_through_the_cab_with_a_conflict_warning(board, desk):
    chen = desk.sign_in(board.engineer_chen, language="en")
    chen.get_by_test_id("nav-changes").click()
    chen.get_by_test_id("new-change").click()
    form = chen.get_by_test_id("new-change-form")
    start, end = (moment.strftime("%Y-%m-%dT%H:%M:%S") for moment in board.window)
    fill_form(form, {"title": "vm-web-01 内存扩容", "reason": "内存不足导致网银缓慢",
                     "implementation_plan": "在线扩容", "rollback_plan": "恢复原配置",
                     "planned_start": start, "planned_end": end, "risk_services": "one",
                     "risk_outage": "degraded", "risk_experience": "rare"})
    form.locator("[name=cis]").select_option(label="vm-web-01")
    chen.get_by_test_id("submit-change").click()
    expect(chen.get_by_test_id("change-state")).to_have_text("Submitted")
    expect(chen.get_by_test_id("change-risk")).to_contain_text("Medium (2 × 2 = 4)")
    expect(chen.get_by_test_id("conflicts")).to_contain_text(board.other.number)
    number = chen.get_by_test_id("change-number").inner_text()

    xu = desk.sign_in(board.change_manager_xu, language="en")
    xu.get_by_test_id("nav-changes").click()
    expect(xu.get_by_test_id("tab-to_assess")).to_contain_text("(2)")
    xu.get_by_role("link", name=number).click()
    assess = _open(xu, "assess")
    assess.locator("[name=approvers]").select_option(["lead_wang", "service_manager_zheng"])
    xu.get_by_test_id("submit-assess").click()
    expect(xu.get_by_test_id("change-state")).to_have_text("Assessed, awaiting CAB")

    wang = desk.sign_in(board.lead_wang, language="en")
    wang.goto("/changes/?queue=my_votes")
    expect(wang.get_by_test_id("change-row")).to_have_count(1)
    _vote(wang, number, "注意与补丁窗口错开")
    expect(wang.get_by_test_id("change-state")).to_have_text("Assessed, awaiting CAB")

    zheng = desk.sign_in(board.service_manager_zheng, language="en")
    _vote(zheng, number, "同意")
    expect(zheng.get_by_test_id("change-state")).to_have_text("Approved")
    expect(zheng.get_by_test_id("cab-vote")).to_have_count(2)

    chen.reload()
    expect(chen.get_by_test_id("change-state")).to_have_text("Approved")
    chen.get_by_test_id("nav-changes").click()
    chen.get_by_test_id("change-calendar").click()
    chen.goto(f"/changes/calendar/?view=day&date={board.window[0].date().isoformat()}")
    expect(chen.get_by_test_id("calendar-conflict")).to_have_count(2)
