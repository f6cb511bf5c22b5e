"""The CMDB in the console: list, CI page, incident page, import and export."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import load_workbook

from opsdesk.cmdb.models import CiRelationship
from opsdesk.core.models import ConfigurationItem
from opsdesk.problems import actions as problem_actions


def names(page) -> list[str]:
    return [ci.name for ci in page.context["page"]]


def test_the_list_filters_by_text_type_status_and_team(graph, cast, as_user):
    ConfigurationItem.objects.filter(name="vm-2").update(owner_team=cast.l2, status="retired")
    client = as_user(cast.agent_li)
    page = client.get("/cmdb/", {"type": "virtual_machine"})
    assert page.status_code == 200
    assert names(page) == ["vm-1", "vm-2", "vm-web-01"]
    assert names(client.get("/cmdb/", {"q": "app-"})) == ["app-trade", "app-web"]
    assert names(client.get("/cmdb/", {"status": "retired"})) == ["vm-2"]
    assert names(client.get("/cmdb/", {"team": cast.l2.name})) == ["vm-2"]
    assert names(client.get("/cmdb/", {"type": "nonsense"})) == []


def test_the_ci_page_shows_attributes_relationships_impact_and_incidents(graph, cast, as_user):
    ConfigurationItem.objects.filter(pk=graph["db"].pk).update(
        attributes={"engine": "达梦", "version": "8.1"}, location="亦庄机房")
    incident = cast.log(ci=graph["db"], title="数据库连接数耗尽")
    cast.log(title="别的配置项")
    page = as_user(cast.engineer_chen).get(f"/cmdb/{graph['db'].pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert page.context["attributes"] == [("数据库类型", "达梦"), ("版本", "8.1")]
    assert [(e.source.name, e.kind) for e in page.context["incoming"]] == [
        ("app-web", "depends_on")]
    assert [(e.kind, e.target.name) for e in page.context["outgoing"]] == [("runs_on", "vm-1")]
    assert [ci.name for ci in page.context["services"]] == ["svc-bank"]
    assert [i.number for i in page.context["incidents"]] == [incident.number]
    assert 'data-testid="ci-diagram"' in html and "<svg" in html
    assert incident.number in html and "亦庄机房" in html


def test_the_ci_page_lists_its_problems_and_names_its_changes(graph, cast, as_user):
    problem = problem_actions.create_problem(
        actor=cast.agent_li, source="web", title="数据库连接数反复耗尽", origin="unknown_cause",
        ci=graph["db"])
    with translation.override("en"):
        html = as_user(cast.engineer_chen).get(f"/cmdb/{graph['db'].pk}/").content.decode()
    assert problem.number in html and "数据库连接数反复耗尽" in html
    assert "ci_created" not in html and "ci_updated" not in html  # events are told in words


def test_a_service_page_lists_its_supporting_items(graph, cast, as_user):
    page = as_user(cast.agent_li).get(f"/cmdb/{graph['svc-trade'].pk}/")
    assert {ci.name for ci in page.context["supporting"]} == {"app-trade", "vm-2", "host",
                                                             "storage"}


def test_the_incident_page_shows_the_services_its_ci_affects(graph, cast, as_user):
    incident = cast.log(ci=graph["host"])
    page = as_user(cast.agent_li).get(incident.get_absolute_url())
    html = page.content.decode()
    assert 'data-testid="incident-ci-impact"' in html
    assert html.count('data-testid="impacted-service"') == 2
    assert "svc-bank" in html and "svc-trade" in html
    assert f'href="/cmdb/{graph["host"].pk}/"' in html


def test_requesters_never_see_the_cmdb(graph, cast, as_user):
    client = as_user(cast.requester_zhao)
    for path in ("/cmdb/", f"/cmdb/{graph['db'].pk}/", "/cmdb/export/?format=xlsx",
                 "/cmdb/import/"):
        assert client.get(path).status_code == 403, path


def test_an_unknown_ci_is_not_found(cast, as_user):
    assert as_user(cast.agent_li).get("/cmdb/999999/").status_code == 404


def test_signed_out_visitors_are_sent_to_log_in(client):
    assert client.get("/cmdb/").status_code == 302


def test_upload_with_dry_run_reports_errors_and_changes_nothing(cast, as_user):
    client = as_user(cast.engineer_chen)
    upload = SimpleUploadedFile("cis.csv", b"name,type\nx-1,storage\nx-2,warp_core\n")
    page = client.post("/cmdb/import/", {"file": upload, "dry_run": "on"})
    assert page.status_code == 422
    assert [str(p) for p in page.context["report"].problems] == [
        "line 3: type: Nothing called “warp_core” was found."]
    assert not ConfigurationItem.objects.filter(name__startswith="x-").exists()

    upload = SimpleUploadedFile("cis.csv", b"name,type\nx-1,storage\n")
    page = client.post("/cmdb/import/", {"file": upload, "dry_run": "on"})
    assert page.status_code == 200 and 'data-testid="import-dry-run"' in page.content.decode()
    assert not ConfigurationItem.objects.filter(name="x-1").exists()

    upload = SimpleUploadedFile("cis.csv", b"name,type\nx-1,storage\n")
    page = client.post("/cmdb/import/", {"file": upload}, follow=True)
    assert ConfigurationItem.objects.get(name="x-1").ci_type == "storage"


@pytest.mark.parametrize("who", ["agent_li", "lead_wang"])
def test_only_editors_may_import(cast, as_user, who):
    client = as_user(getattr(cast, who))
    assert client.get("/cmdb/import/").status_code == 403
    upload = SimpleUploadedFile("cis.csv", b"name,type\nx-1,storage\n")
    assert client.post("/cmdb/import/", {"file": upload}).status_code == 403
    assert not ConfigurationItem.objects.filter(name="x-1").exists()


def test_downloads_in_csv_and_xlsx(graph, cast, as_user):
    client = as_user(cast.agent_li)
    edges = client.get("/cmdb/export/", {"format": "relationships"})
    assert edges["Content-Disposition"] == 'attachment; filename="cmdb-relationships.csv"'
    assert len(edges.content.decode("utf-8-sig").splitlines()) == 1 + CiRelationship.objects.count()
    workbook = load_workbook(io.BytesIO(client.get("/cmdb/export/").content), read_only=True)
    rows = list(workbook["configuration_items"].iter_rows(values_only=True))
    assert len(rows) == 1 + ConfigurationItem.objects.count()
    assert client.get("/cmdb/export/", {"format": "pdf"}).status_code == 404
