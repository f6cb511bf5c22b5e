"""The CMDB forms in the console (issue 5 item 1): create and edit an item
with its type's typed attributes, add and remove relationships from its
page. Every change goes through cmdb.actions; a refused one shows its errors
on the form, in the user's language, and writes nothing."""

import pytest

from opsdesk.cmdb.models import CiAttribute, CiRelationship
from opsdesk.core.models import ConfigurationItem, TimelineEvent


def item_events() -> int:
    return TimelineEvent.objects.filter(subject_type="ci").count()


def ci_state() -> tuple:
    return (list(ConfigurationItem.objects.order_by("pk").values()),
            list(CiRelationship.objects.order_by("pk").values()), item_events())


def errors(page) -> dict:
    form = page.context["form"]
    return {name: [str(text) for text in texts] for name, texts in form.errors.items()}


def test_the_new_form_shows_the_attributes_of_the_chosen_type(cast, as_user):
    client = as_user(cast.engineer_chen)

    page = client.get("/cmdb/new/", {"type": "database"})
    fragment = client.get("/cmdb/new/attributes/", {"type": "network_device"})

    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="attr_engine"' in html and 'name="attr_version"' in html
    assert '<option value="达梦">达梦</option>' in html
    assert 'name="attr_layer"' in fragment.content.decode()
    assert 'name="attr_engine"' not in fragment.content.decode()


def test_an_engineer_creates_an_item_with_typed_attributes(cast, as_user):
    response = as_user(cast.engineer_chen).post("/cmdb/new/", {
        "name": "db-core-01", "type": "database", "status": "in_service",
        "owner_team": cast.l2.pk, "service": cast.service.pk, "customer": cast.customer.pk,
        "location": "亦庄机房 A-12", "vendor": "达梦", "contract": "DM-2026-003",
        "attr_engine": "达梦", "attr_version": "8.1",
    })

    ci = ConfigurationItem.objects.get(name="db-core-01")
    assert response.status_code == 302 and response["Location"] == f"/cmdb/{ci.pk}/"
    assert (ci.type_id, ci.status, ci.owner_team, ci.service, ci.customer, ci.location,
            ci.vendor, ci.contract, ci.attributes) == (
        "database", "in_service", cast.l2, cast.service, cast.customer, "亦庄机房 A-12", "达梦",
        "DM-2026-003", {"engine": "达梦", "version": "8.1"})
    event = TimelineEvent.objects.get(subject_type="ci", subject_id=ci.pk)
    assert (event.kind, event.actor, event.source) == ("ci_created", cast.engineer_chen, "web")


def test_numbers_and_dates_are_stored_typed(cast, as_user):
    as_user(cast.engineer_chen).post("/cmdb/new/", {
        "name": "host-07", "type": "physical_server", "status": "planned",
        "attr_cpu_cores": "64", "attr_memory_gb": "512", "attr_warranty_until": "2029-06-30",
    })

    assert ConfigurationItem.objects.get(name="host-07").attributes == {
        "cpu_cores": 64, "memory_gb": 512, "warranty_until": "2029-06-30"}


def test_bad_values_are_shown_on_their_fields_and_nothing_is_written(cast, as_user):
    CiAttribute.objects.filter(ci_type__code="database", key="version").update(required=True)
    before = ci_state()

    page = as_user(cast.engineer_chen).post("/cmdb/new/", {
        "name": "vm-web-01", "type": "database", "status": "in_service",
        "attr_engine": "", "attr_version": "", "location": "x" * 201,
    })

    assert page.status_code == 422
    assert errors(page) == {"location": ["Ensure this value has at most 200 characters "
                                         "(it has 201)."]}
    page = as_user(cast.engineer_chen).post("/cmdb/new/", {
        "name": "vm-web-01", "type": "physical_server", "status": "in_service",
        "attr_cpu_cores": "很多", "attr_warranty_until": "明年",
    })
    assert page.status_code == 422
    assert errors(page) == {
        "name": ["A configuration item called “vm-web-01” exists already."],
        "attr_cpu_cores": ["CPU 核数: Must be a number."],
        "attr_warranty_until": ["保修截止: Must be a date, e.g. 2026-11-23."],
    }
    assert 'data-testid="field-error-attr_cpu_cores"' in page.content.decode()
    assert ci_state() == before


def test_a_required_attribute_is_asked_for_in_chinese(cast, as_user):
    CiAttribute.objects.filter(ci_type__code="database", key="version").update(required=True)

    page = as_user(cast.engineer_chen, language="zh-hans").post("/cmdb/new/", {
        "name": "db-02", "type": "database", "status": "in_service"})

    assert page.status_code == 422
    assert errors(page) == {"attr_version": ["版本为必填项。"]}
    assert not ConfigurationItem.objects.filter(name="db-02").exists()


def test_editing_changes_the_item_and_records_what_changed(cast, as_user):
    client = as_user(cast.engineer_chen)
    page = client.get(f"/cmdb/{cast.ci.pk}/edit/")
    assert page.status_code == 200
    assert 'value="vm-web-01"' in page.content.decode()

    response = client.post(f"/cmdb/{cast.ci.pk}/edit/", {
        "name": "vm-web-01", "type": "virtual_machine", "status": "maintenance",
        "service": cast.service.pk, "customer": cast.customer.pk, "attr_vcpus": "8",
        "attr_ip_address": "10.8.1.21",
    })

    assert response.status_code == 302
    ci = ConfigurationItem.objects.get(pk=cast.ci.pk)
    assert (ci.status, ci.attributes) == ("maintenance", {"vcpus": 8, "ip_address": "10.8.1.21"})
    event = TimelineEvent.objects.get(subject_type="ci", subject_id=ci.pk)
    assert event.kind == "ci_updated"
    assert event.changes["status"] == ["in_service", "maintenance"]


@pytest.mark.parametrize("who", ["agent_li", "lead_wang"])
def test_read_only_staff_get_no_forms(cast, as_user, who):
    client = as_user(getattr(cast, who))
    before = ci_state()

    assert client.get("/cmdb/new/").status_code == 403
    assert client.post("/cmdb/new/", {"name": "x", "type": "server",
                                      "status": "in_service"}).status_code == 403
    assert client.post(f"/cmdb/{cast.ci.pk}/edit/", {
        "name": "renamed", "type": "virtual_machine", "status": "retired"}).status_code == 403
    page = client.get(f"/cmdb/{cast.ci.pk}/").content.decode()
    assert 'data-testid="relationship-form"' not in page and 'data-testid="edit-ci"' not in page
    assert ci_state() == before


def test_requesters_get_the_staff_only_page(cast, as_user):
    response = as_user(cast.requester_zhao).get("/cmdb/new/")

    assert response.status_code == 403
    assert 'name="attr_' not in response.content.decode()


def test_a_relationship_is_added_from_the_item_page_both_ways(graph, cast, as_user):
    client = as_user(cast.engineer_chen)
    db = graph["db"]

    out = client.post(f"/cmdb/{db.pk}/relationships/", {
        "direction": "out", "kind": "depends_on", "other": "storage"})
    inward = client.post(f"/cmdb/{db.pk}/relationships/", {
        "direction": "in", "kind": "depends_on", "other": "app-trade"})

    assert out.status_code == inward.status_code == 302
    page = client.get(f"/cmdb/{db.pk}/")
    assert [(e.kind, e.target.name) for e in page.context["outgoing"]] == [
        ("depends_on", "storage"), ("runs_on", "vm-1")]
    assert ("app-trade", "depends_on") in [(e.source.name, e.kind)
                                           for e in page.context["incoming"]]
    assert "svc-trade" in [service.name for service in page.context["services"]]
    assert ">storage</text>" in page.content.decode()  # drawn in the diagram


def test_a_wrong_relationship_says_why_and_writes_nothing(graph, cast, as_user):
    client = as_user(cast.engineer_chen)
    db = graph["db"]
    before = ci_state()

    missing = client.post(f"/cmdb/{db.pk}/relationships/", {
        "direction": "out", "kind": "runs_on", "other": "no-such-vm"})
    itself = client.post(f"/cmdb/{db.pk}/relationships/", {
        "direction": "out", "kind": "runs_on", "other": "db"})
    bad_kind = client.post(f"/cmdb/{db.pk}/relationships/", {
        "direction": "sideways", "kind": "owns", "other": "vm-2"})

    assert missing.status_code == 422
    assert missing.context["relationship_form"].errors == {
        "other": ["No configuration item is called “no-such-vm”."]}
    assert itself.status_code == 422
    assert itself.context["relationship_form"].errors == {
        "other": ["An item cannot be related to itself."]}
    assert bad_kind.status_code == 422
    assert set(bad_kind.context["relationship_form"].errors) == {"direction", "kind"}
    assert 'data-testid="field-error-other"' in missing.content.decode()
    assert ci_state() == before


def test_a_relationship_is_removed_from_either_end(graph, cast, as_user):
    client = as_user(cast.engineer_chen)
    edge = CiRelationship.objects.get(source=graph["db"], target=graph["vm-1"])

    response = client.post(f"/cmdb/{graph['vm-1'].pk}/relationships/{edge.pk}/remove/")

    assert response.status_code == 302
    assert not CiRelationship.objects.filter(pk=edge.pk).exists()
    assert TimelineEvent.objects.filter(subject_type="ci", subject_id=graph["db"].pk,
                                        kind="relationship_removed").exists()


def test_removing_is_for_editors_and_for_this_items_relationships(graph, cast, as_user):
    edge = CiRelationship.objects.get(source=graph["db"], target=graph["vm-1"])
    before = ci_state()

    assert as_user(cast.agent_li).post(
        f"/cmdb/{graph['db'].pk}/relationships/{edge.pk}/remove/").status_code == 403
    assert as_user(cast.engineer_chen).post(
        f"/cmdb/{graph['host'].pk}/relationships/{edge.pk}/remove/").status_code == 404
    assert ci_state() == before
