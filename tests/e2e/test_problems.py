"""Browser walk (INC-16): closing an incident with a workaround is refused
until a problem is named; "new" raises one, and the incident and the problem
page link to each other."""

import pytest
from playwright.sync_api import expect

from opsdesk.incidents import actions

from .conftest import fill_form

pytestmark = pytest.mark.browser


@pytest.fixture
def working_incident(people):
    incident = people.log()
    incident = actions.assign(incident, actor=people.agent_li, source="web",
                              expected_version=incident.version, team=people.l2,
                              assignee=people.engineer_chen)
    return actions.accept(incident, actor=people.engineer_chen, source="web",
                          expected_version=incident.version)


def _resolve(page, **fields):
    if page.locator("#panel-resolve details[open]").count() == 0:
        page.locator("#panel-resolve summary").click()
    fill_form(page.get_by_test_id("action-resolve"), fields)
    page.get_by_test_id("submit-resolve").click()


def test_a_workaround_closure_forces_a_problem_link(people, working_incident, desk):
    page = desk.sign_in(people.engineer_chen, language="en")
    page.goto(f"/incidents/{working_incident.number}/")

    _resolve(page, closure_code="workaround", solution="重启应用服务后恢复")
    expect(page.get_by_test_id("field-error-problem")).to_contain_text("needs a problem record")
    expect(page.get_by_test_id("status")).to_contain_text("In progress")

    _resolve(page, closure_code="workaround", solution="重启应用服务后恢复", problem="new")
    expect(page.get_by_test_id("status")).to_contain_text("Resolved")
    linked = page.get_by_test_id("linked-problem")
    expect(linked).to_contain_text("PRB-")
    linked.get_by_role("link").click()
    expect(page.get_by_test_id("problem-state")).to_have_text("Accepted")
    expect(page.get_by_test_id("linked-incident")).to_have_text(working_incident.number)
    expect(page.get_by_test_id("problem-workaround")).to_have_text("重启应用服务后恢复")
