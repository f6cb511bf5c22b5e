"""/api/v1/cis: list, read, relationships, impact; staff only."""

import pytest

from opsdesk.core.models import ConfigurationItem

from ..api.conftest import Api


@pytest.fixture
def api(cast):
    return Api(cast.agent_li, language="en")


def test_the_list_is_filtered_and_paged(graph, api):
    first = api.get("/cis", {"type": "virtual_machine", "limit": 2})
    assert first.status_code == 200
    body = first.json()
    assert [item["name"] for item in body["items"]] == ["vm-1", "vm-2"]
    rest = api.get("/cis", {"type": "virtual_machine", "limit": 2,
                            "cursor": body["next_cursor"]}).json()
    assert [item["name"] for item in rest["items"]] == ["vm-web-01"]
    assert rest["next_cursor"] is None


def test_an_item_reads_with_its_attributes(graph, api):
    ConfigurationItem.objects.filter(pk=graph["db"].pk).update(attributes={"engine": "达梦"})
    body = api.get(f"/cis/{graph['db'].pk}").json()
    assert body == {
        "id": graph["db"].pk, "name": "db", "type": "database", "type_name": "数据库",
        "status": "in_service", "owner_team": None, "service": None, "customer": None,
        "location": "", "vendor": "", "contract": "", "attributes": {"engine": "达梦"},
        "business_service": None}


def test_relationships_both_ways(graph, api):
    body = api.get(f"/cis/{graph['db'].pk}/relationships").json()
    assert body == [{"source": "db", "kind": "runs_on", "target": "vm-1"},
                    {"source": "app-web", "kind": "depends_on", "target": "db"}]


def test_impact_names_the_services_and_counts_the_dependants(graph, api):
    body = api.get(f"/cis/{graph['vm-1'].pk}/impact").json()
    assert body["ci"]["name"] == "vm-1"
    assert [service["name"] for service in body["services"]] == ["svc-bank"]
    assert body["dependants"] == 3  # app-web, db, svc-bank
    assert {item["name"] for item in body["supporting"]} == {"host", "storage"}


def test_unknown_items_are_not_found(cast, api):
    answer = api.get("/cis/424242/impact")
    assert (answer.status_code, answer.json()["code"]) == (404, "not_found")


def test_requesters_and_strangers_are_refused(graph, cast):
    answer = Api(cast.requester_zhao, language="en").get(f"/cis/{graph['db'].pk}")
    assert (answer.status_code, answer.json()["code"]) == (403, "forbidden")
    assert Api(cast.outsider).get("/cis").status_code == 403
    assert Api().get("/cis").status_code == 401


def test_bad_filters_are_clear_errors(cast, api):
    answer = api.get("/cis", {"limit": 0})
    assert answer.status_code == 422
    assert answer.json()["fields"] == {"limit": "Must be at least 1."}
    assert api.get("/cis", {"cursor": "garbage"}).json()["fields"] == {
        "cursor": "This cursor is not valid; start from the first page."}
