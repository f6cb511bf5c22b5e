"""Browser walk (issue 5 item 1): an engineer creates a database CI, whose
type brings its own attribute fields, relates it to a virtual machine from
its page, and sees the relationship in the diagram; a wrong name is refused
on the form."""

import pytest
from playwright.sync_api import expect

from .conftest import fill_form

pytestmark = pytest.mark.browser


def test_create_a_ci_and_relate_it_in_the_diagram(people, desk):
    page = desk.sign_in(people.engineer_chen, language="zh-hans")
    page.goto("/cmdb/")
    page.get_by_test_id("new-ci").click()

    form = page.get_by_test_id("ci-form")
    form.locator("[name=type]").select_option("database")
    # The type's own attributes arrive with the choice.
    expect(form.locator("[name=attr_engine]")).to_be_visible()
    fill_form(form, {"name": "db-core-01", "attr_engine": "达梦", "attr_version": "8.1",
                     "location": "亦庄机房 A-12", "status": "in_service"})
    page.get_by_test_id("save-ci").click()

    expect(page.get_by_test_id("ci-name")).to_have_text("db-core-01")
    expect(page.get_by_test_id("ci-attributes")).to_contain_text("达梦")

    relate = page.get_by_test_id("relationship-form")
    fill_form(relate, {"direction": "out", "kind": "runs_on", "other": "不存在的主机"})
    page.get_by_test_id("add-relationship").click()
    expect(page.get_by_test_id("field-error-other")).to_contain_text("不存在的主机")

    fill_form(page.get_by_test_id("relationship-form"),
              {"direction": "out", "kind": "runs_on", "other": "vm-web-01"})
    page.get_by_test_id("add-relationship").click()

    expect(page.get_by_test_id("relationship-out")).to_contain_text("vm-web-01")
    diagram = page.get_by_test_id("ci-diagram")
    expect(diagram).to_contain_text("vm-web-01")
    expect(diagram).to_contain_text("运行于")
