"""The KPI table, the drill-down to the rows behind a figure, and
GET /api/v1/reports/kpis: who may see them, what they show, bad input."""

import re

import pytest
from django.test import Client
from django.utils import translation

from opsdesk.core.models import ApiToken
from opsdesk.reports import kpis
from opsdesk.reports.kpi_filters import Filters

from .kpi_helpers import NOVEMBER, Records, at

API = "/api/v1/reports/kpis"


@pytest.fixture
def month(cast):
    records = Records(cast)
    made = [records.resolved(at(11, day), 2, priority=1 if day == 3 else 3) for day in (2, 3)]
    made.append(records.incident(at(11, 4), priority=2))
    for day in range(5, 60 + 5):  # 60 more, to need two pages
        records.incident(at(11, day % 28 + 1), priority=4, channel="email")
    return made


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def bearer(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(user)[1]}")


def test_the_kpi_table_links_each_figure_to_its_tickets(cast, month):
    page = signed_in(cast.agent_li).get("/reports/kpis/", {"period": "month", "year": "2026",
                                                           "month": "11"})
    assert page.status_code == 200
    html = page.content.decode()
    major = re.search(r'data-testid="kpi-major_incident_rate".*?</tr>', html, re.S).group(0)
    assert "3.17%" in major  # 2 of 63
    link = kpis.drilldown_url("major_incident_rate", NOVEMBER).replace("&", "&amp;")
    assert link in major


def test_drill_down_lists_exactly_the_counted_tickets_with_links(cast, month):
    client = signed_in(cast.lead_wang)
    page = client.get(kpis.drilldown_url("major_incident_rate", NOVEMBER))
    assert page.status_code == 200
    html = page.content.decode()
    listed = re.findall(r'<a href="/incidents/([^/]+)/">', html)
    assert sorted(listed) == sorted([month[1].number, month[2].number])


def test_drill_down_pages_through_many_tickets(cast, month):
    client = signed_in(cast.agent_li)
    url = kpis.drilldown_url("incidents_total", NOVEMBER)
    first = client.get(url).content.decode()
    second = client.get(url + "&page=2").content.decode()
    assert first.count('data-testid="kpi-row"') == 50
    assert second.count('data-testid="kpi-row"') == 13
    assert 'data-testid="page-next"' in first and 'data-testid="page-next"' not in second


def test_a_grouped_figure_drills_down_to_its_group(cast, month):
    (email,) = [f for f in kpis.compute(["incidents_total"], NOVEMBER, group_by="channel")
                if f.group == "email"]
    page = signed_in(cast.agent_li).get(kpis.figure_url(email, NOVEMBER)).content.decode()
    assert page.count('data-testid="kpi-row"') == 50  # first page of the 60
    assert ": 60</p>" in page


def test_requesters_get_the_staff_only_page(cast, month):
    client = signed_in(cast.requester_zhao)
    assert client.get("/reports/kpis/").status_code == 403
    assert client.get(kpis.drilldown_url("incidents_total", NOVEMBER)).status_code == 403


def test_anonymous_users_are_sent_to_sign_in(cast):
    response = Client().get("/reports/kpis/")
    assert response.status_code == 302 and "/login" in response["Location"]


def test_bad_period_is_refused_with_a_translated_message(cast):
    page = signed_in(cast.agent_li).get("/reports/kpis/", {"period": "month", "year": "2026",
                                                           "month": "13"})
    assert page.status_code == 422
    assert "1" in page.content.decode() and 'data-testid="kpi-errors"' in page.content.decode()
    unknown = signed_in(cast.agent_li).get("/reports/kpis/nonsense/tickets/")
    assert unknown.status_code == 404


def test_api_returns_the_figures(cast, month):
    response = bearer(cast.agent_li).get(API, {"period": "month", "year": "2026", "month": "11",
                                               "kpi": "incidents_total,major_incident_rate"})
    assert response.status_code == 200
    body = response.json()
    assert body["period"]["start"] == "2026-11-01T00:00:00+08:00"
    assert [(f["key"], f["value"], f["numerator"], f["denominator"]) for f in body["figures"]] == [
        ("incidents_total", 63.0, 63.0, None), ("major_incident_rate", 3.17, 2.0, 63)]
    assert body["figures"][1]["tickets_url"] == kpis.drilldown_url("major_incident_rate",
                                                                   NOVEMBER)


def test_api_groups_figures(cast, month):
    response = bearer(cast.agent_li).get(API, {"from": "2026-11-01", "to": "2026-11-30",
                                               "group_by": "priority", "kpi": "incidents_total"})
    figures = response.json()["figures"]
    assert [(f["group"], f["numerator"]) for f in figures] == [(1, 1), (2, 1), (3, 1), (4, 60)]
    assert [f["group_label"] for f in figures] == ["P1", "P2", "P3", "P4"]


def test_api_needs_authentication(cast):
    response = Client().get(API)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_api_refuses_requesters(cast):
    response = bearer(cast.requester_zhao).get(API)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_api_refuses_bad_input_field_by_field(cast):
    with translation.override("en"):
        response = bearer(cast.agent_li).get(API, {"from": "2026-11-30", "to": "2026-11-01",
                                                   "priority": "9", "group_by": "moon"},
                                             HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    fields = response.json()["fields"]
    assert fields["to"] == "The end date is before the start date."
    assert fields["priority"] == "Choose a priority from 1 to 4."
    assert fields["group_by"].startswith("Choose one of: team, resolver_role")
    unknown = bearer(cast.agent_li).get(API, {"kpi": "happiness"})
    assert unknown.status_code == 422 and "happiness" in unknown.json()["fields"]["kpi"]


def test_filters_that_do_not_apply_leave_a_kpi_out(cast, month):
    keys = [f.key for f in kpis.compute(None, NOVEMBER, filters=Filters(priority=1))]
    assert "incidents_total" in keys
    assert "calls_offered" not in keys and "problems_total" not in keys


def test_the_console_navigation_leads_to_the_kpi_table(cast):
    client = signed_in(cast.agent_li)
    home = client.get("/reports/dashboards/", follow=True).content.decode()
    link = re.search(r'<a href="([^"]+)" data-testid="nav-kpis">([^<]+)</a>', home)
    assert link is not None
    assert link.groups() == ("/reports/kpis/", "KPI 指标")  # next to 仪表板 (Dashboards)
    assert client.get(link.group(1)).status_code == 200
