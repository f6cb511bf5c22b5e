"""Browser walk (issue 5): on a CI's page an engineer types part of the
other item's name, picks it from the offered matches and sees the new
relationship in the item's relationship list."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def items(people):
    from opsdesk.core.models import ConfigurationItem

    ConfigurationItem.objects.bulk_create([
        ConfigurationItem(name="db-core-01", type_id="database"),
        ConfigurationItem(name="vm-web01", type_id="virtual_machine"),
        ConfigurationItem(name="vm-web-02", type_id="virtual_machine", status="retired"),
    ])
    return ConfigurationItem.objects.get(name="db-core-01")


def test_pick_the_other_item_by_typing_part_of_its_name(people, items, desk):
    page = desk.sign_in(people.engineer_chen, language="zh-hans")
    page.goto(f"/cmdb/{items.pk}/")

    form = page.get_by_test_id("relationship-form")
    form.locator("[name=direction]").select_option("out")
    form.locator("[name=kind]").select_option("runs_on")
    form.locator("[name=other]").press_sequentially("web-0")

    offered = form.get_by_test_id("ci-candidate")
    expect(offered).to_have_count(1)  # vm-web01 lacks the dash; vm-web-02 is retired
    expect(offered).to_contain_text("vm-web-01")
    expect(offered).to_contain_text("华信证券")
    offered.click()

    expect(form.locator("[name=other]")).to_have_value("vm-web-01")
    expect(offered).to_have_count(0)
    page.get_by_test_id("add-relationship").click()

    expect(page.get_by_test_id("relationship-out")).to_contain_text("vm-web-01")
    expect(page.get_by_test_id("relationship-out")).to_contain_text("运行于")


def test_the_arrow_keys_reach_the_matches(people, items, desk):
    page = desk.sign_in(people.engineer_chen, language="en")
    page.goto(f"/cmdb/{items.pk}/")

    field = page.get_by_test_id("relationship-form").locator("[name=other]")
    field.press_sequentially("VM-WEB")
    expect(page.get_by_test_id("ci-candidate")).to_have_count(2)
    field.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")

    expect(field).to_have_value("vm-web01")
    page.get_by_test_id("add-relationship").click()
    expect(page.get_by_test_id("relationship-out")).to_contain_text("vm-web01")
