"""Impact analysis: exact sets on the hand-made graph (tests/cmdb/conftest.py)."""

from opsdesk.cmdb import impact


def test_a_failure_reaches_every_dependant_once_through_the_cycle(graph):
    assert graph.names(impact.dependant_ids(graph["storage"].pk)) == {
        "host", "vm-1", "vm-2", "db", "app-web", "app-trade", "svc-bank", "svc-trade"}


def test_the_affected_services_are_the_business_services_among_them(graph):
    services = impact.affected_services(graph["storage"])
    assert {ci.name for ci in services} == {"svc-bank", "svc-trade"}


def test_an_item_inside_the_cycle_lists_its_partner_but_not_itself(graph):
    assert graph.names(impact.dependant_ids(graph["host"].pk)) == {
        "storage", "vm-1", "vm-2", "db", "app-web", "app-trade", "svc-bank", "svc-trade"}


def test_a_shared_dependency_affects_only_what_uses_it(graph):
    assert graph.names(impact.dependant_ids(graph["db"].pk)) == {"app-web", "svc-bank"}
    assert {ci.name for ci in impact.affected_services(graph["vm-2"])} == {"svc-trade"}


def test_connected_to_carries_no_dependency(graph):
    assert impact.dependant_ids(graph["switch"].pk) == []
    assert "switch" not in graph.names(impact.supporting_ids(graph["host"].pk))


def test_part_of_makes_the_whole_depend_on_the_part(graph):
    assert graph.names(impact.dependant_ids(graph["app-trade"].pk)) == {"svc-trade"}
    assert impact.dependant_ids(graph["svc-trade"].pk) == []


def test_a_service_is_supported_by_everything_below_it(graph):
    assert {ci.name for ci in impact.supporting_items(graph["svc-bank"])} == {
        "app-web", "db", "vm-1", "host", "storage"}
    assert graph.names(impact.supporting_ids(graph["svc-trade"].pk)) == {
        "app-trade", "vm-2", "host", "storage"}


def test_an_item_without_relationships_affects_nothing(cast):
    assert list(impact.affected_services(cast.ci)) == []
    assert impact.supporting_ids(cast.ci.pk) == []
