"""Saving items and relationships: attribute checks, history, permissions."""

import pytest
from django.db import transaction
from django.utils import translation

from opsdesk.cmdb import actions
from opsdesk.cmdb.models import CiAttribute, CiRelationship, CiType
from opsdesk.core.errors import Forbidden, Invalid
from opsdesk.core.models import CiStatus, ConfigurationItem, Service, TimelineEvent

from .conftest import draft


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def server_type(db):
    """The seeded physical-server type, with one required attribute added."""
    ci_type = CiType.objects.get(code="physical_server")
    CiAttribute.objects.create(ci_type=ci_type, key="rack", label="Rack", required=True)
    return ci_type


def create(cast, name="srv-01", **fields):
    fields.setdefault("attributes", {"rack": "A-07"})
    return actions.create_ci(draft(name, "physical_server", **fields),
                             actor=cast.engineer_chen, source="web")


def test_an_item_is_saved_with_typed_attribute_values(cast, server_type):
    ci = create(cast, status=CiStatus.MAINTENANCE, location="北京亦庄机房", vendor="浪潮",
                contract="LC-UC-2025-008", owner_team=cast.l2, attributes={
                    "rack": "A-07", "cpu_cores": "64", "memory_gb": 512.5,
                    "warranty_until": "2027-06-30", "os": " 麒麟 V10 "})
    ci.refresh_from_db()
    assert ci.attributes == {"rack": "A-07", "cpu_cores": 64, "memory_gb": 512.5,
                             "warranty_until": "2027-06-30", "os": "麒麟 V10"}
    assert (ci.ci_type, ci.status, ci.location, ci.owner_team) == (
        "physical_server", "maintenance", "北京亦庄机房", cast.l2)
    event = TimelineEvent.objects.get(subject_type="ci", subject_id=ci.pk)
    assert (event.kind, event.actor, event.changes["location"]) == (
        "ci_created", cast.engineer_chen, [None, "北京亦庄机房"])


@pytest.mark.parametrize(("attributes", "field", "message"), [
    ({}, "attributes.rack", "Rack is required."),
    ({"rack": "  "}, "attributes.rack", "Rack is required."),
    ({"rack": "A", "cpu_cores": "many"}, "attributes.cpu_cores", "CPU 核数: Must be a number."),
    ({"rack": "A", "cpu_cores": True}, "attributes.cpu_cores", "CPU 核数: Must be a number."),
    ({"rack": "A", "cpu_cores": "NaN"}, "attributes.cpu_cores", "CPU 核数: Must be a number."),
    ({"rack": "A", "warranty_until": "2027-02-30"}, "attributes.warranty_until",
     "保修截止: Must be a date, e.g. 2026-11-23."),
    ({"rack": "A", "colour": "red"}, "attributes.colour",
     "A 物理服务器 has no attribute “colour”."),
])
def test_bad_attribute_values_are_refused_and_nothing_is_saved(cast, server_type, english,
                                                               attributes, field, message):
    with pytest.raises(Invalid) as refused:
        create(cast, attributes=attributes)
    assert refused.value.fields == {field: message}
    assert not ConfigurationItem.objects.filter(name="srv-01").exists()


def test_a_choice_must_be_one_of_its_options(cast, english):
    with pytest.raises(Invalid) as refused:
        actions.create_ci(draft("db-x", "database", attributes={"engine": "DB2"}),
                          actor=cast.engineer_chen, source="web")
    assert refused.value.fields == {
        "attributes.engine":
            "数据库类型: Choose one of: Oracle, MySQL, PostgreSQL, SQL Server, 达梦."}
    ci = actions.create_ci(draft("db-x", "database", attributes={"engine": "达梦"}),
                           actor=cast.engineer_chen, source="web")
    assert ci.attributes == {"engine": "达梦"}


def test_names_are_unique_and_statuses_known(cast, server_type, english):
    with pytest.raises(Invalid) as refused:
        create(cast, name="vm-web-01", status="broken")
    assert refused.value.fields == {
        "name": "A configuration item called “vm-web-01” exists already.",
        "status": "Choose one of: planned, in_service, maintenance, retired."}


def test_an_update_records_what_changed(cast, server_type):
    ci = create(cast)
    changed = draft("srv-01", "physical_server", status=CiStatus.RETIRED,
                    attributes={"rack": "B-01"})
    actions.update_ci(ci, changed, actor=cast.engineer_chen, source="web")
    event = TimelineEvent.objects.filter(subject_type="ci", subject_id=ci.pk).last()
    assert event.kind == "ci_updated"
    assert event.changes == {"status": ["in_service", "retired"],
                             "attributes": [{"rack": "A-07"}, {"rack": "B-01"}]}


def test_relationships_are_directed_unique_and_never_to_itself(cast, english):
    host = actions.create_ci(draft("host-1", "physical_server"), actor=cast.engineer_chen,
                             source="web")
    first = actions.add_relationship(cast.ci, "runs_on", host, actor=cast.engineer_chen,
                                     source="web")
    again = actions.add_relationship(cast.ci, "runs_on", host, actor=cast.engineer_chen,
                                     source="web")
    assert first == again and CiRelationship.objects.count() == 1
    assert str(first) == "vm-web-01 runs on host-1"
    with pytest.raises(Invalid) as itself:
        actions.add_relationship(host, "depends_on", host, actor=cast.engineer_chen,
                                 source="web")
    assert itself.value.fields == {"target": "An item cannot be related to itself."}
    with pytest.raises(Invalid) as unknown:
        actions.add_relationship(host, "hosts", cast.ci, actor=cast.engineer_chen, source="web")
    assert unknown.value.fields == {
        "kind": "Choose one of: runs_on, depends_on, connected_to, part_of."}
    actions.remove_relationship(first, actor=cast.engineer_chen, source="web")
    assert not CiRelationship.objects.exists()
    kinds = list(TimelineEvent.objects.filter(subject_type="ci", subject_id=cast.ci.pk)
                 .order_by("seq").values_list("kind", flat=True))
    assert kinds == ["relationship_added", "relationship_removed"]


@pytest.mark.parametrize("who", ["agent_li", "lead_wang", "leader_ma", "requester_zhao"])
def test_only_the_people_who_run_the_infrastructure_change_it(cast, who):
    with pytest.raises(Forbidden):
        actions.create_ci(draft("srv-x", "physical_server"), actor=getattr(cast, who),
                          source="web")
    with pytest.raises(Forbidden):
        actions.add_relationship(cast.ci, "depends_on", cast.ci, actor=getattr(cast, who),
                                 source="web")
    assert not ConfigurationItem.objects.filter(name="srv-x").exists()


def test_a_service_gets_one_business_service_item(cast):
    with transaction.atomic():
        item = actions.service_item(cast.service, actor=cast.engineer_chen, source="web")
        again = actions.service_item(cast.service, actor=cast.engineer_chen, source="web")
    assert item == again
    assert (item.name, item.ci_type) == ("云主机服务", "business_service")
    assert Service.objects.get(pk=cast.service.pk).ci == item
    assert ConfigurationItem.objects.filter(type_id="business_service").count() == 1
