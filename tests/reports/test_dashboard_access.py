"""Who may open which dashboard, the pages themselves, the JSON endpoint's
answers, and what a panel costs as the tickets grow."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from opsdesk.core import clock
from opsdesk.core.models import ApiToken
from opsdesk.reports import dashboards
from opsdesk.reports.dashboard_data import PanelFilters
from tests.incidents.helpers import Desk

SLUGS = ("service-desk", "incident-manager", "management")


def page(client, user, slug, **query):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client.get(f"/reports/dashboards/{slug}/", query)


def api(user=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user)[1]}"} if user else {}
    return Client(**headers)


def panel_url(name):
    return f"/api/v1/reports/panels/{name}"


@pytest.mark.parametrize(("who", "allowed"), [
    ("agent_li", {"service-desk", "incident-manager"}),
    ("engineer_chen", {"service-desk", "incident-manager"}),
    ("lead_wang", set(SLUGS)),
    ("leader_ma", set(SLUGS)),
])
def test_staff_open_their_dashboards_and_only_managers_the_management_one(cast, client, who,
                                                                         allowed):
    user = getattr(cast, who)
    for slug in SLUGS:
        response = page(client, user, slug)
        assert response.status_code == (200 if slug in allowed else 403), slug
        if slug in allowed:
            body = response.content.decode()
            assert body.count("<canvas") >= 1 and "<table" in body
            assert 'data-testid="nav-dashboards"' in body
            tabs = {other for other in SLUGS if f'data-testid="dashboard-{other}"' in body}
            assert tabs == allowed


def test_requesters_and_strangers_are_kept_out(cast, client):
    assert page(client, cast.requester_zhao, "service-desk").status_code == 403
    client.logout()
    response = client.get("/reports/dashboards/service-desk/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert page(client, cast.agent_li, "no-such-board").status_code == 404


def test_the_nav_entry_opens_the_first_dashboard(cast, client):
    client.force_login(cast.agent_li)
    response = client.get("/reports/dashboards/")
    assert response.status_code == 302
    assert response["Location"] == "/reports/dashboards/service-desk/"


def test_every_panel_is_drawn_with_its_table_and_the_filters_carry_to_the_api(cast, client):
    Desk(cast).closed(title="已关闭")
    cast.log(title="仍然打开")
    response = page(client, cast.lead_wang, "incident-manager", team=cast.l2.pk,
                    period="month", year=2026, month=10)
    body = response.content.decode()
    for name in dashboards.DASHBOARDS["incident-manager"].panels:
        assert f'data-testid="panel-{name}"' in body
        assert f'data-url="/api/v1/reports/panels/{name}?team={cast.l2.pk}' \
               f'&amp;period=month&amp;year=2026&amp;month=10"' in body
    assert "Period: October 2026" in body
    assert f'<option value="{cast.l2.pk}" selected>' in body


def test_bad_filters_on_the_page_are_explained(cast, client):
    response = page(client, cast.lead_wang, "incident-manager", team="x", period="month",
                    year=2026, month=13)
    assert response.status_code == 422
    body = response.content.decode()
    assert 'data-testid="filter-errors"' in body
    assert "team: Must be a number." in body and "month: Give a whole number from 1 to 12." in body


def test_the_panel_endpoint_answers_json_for_the_allowed(cast):
    cast.log()
    response = api(cast.agent_li).get(panel_url("open_by_priority"),
                                      {"customer": cast.customer.pk})
    assert response.status_code == 200
    body = response.json()
    assert body["kind"] == "pie" and body["labels"] == ["P1", "P2", "P3", "P4"]
    assert body["series"][0]["values"] == [0, 0, 1, 0]
    assert body["table"]["rows"][2][1]["text"] == "1"
    assert body["refreshed_at"].startswith("2026-11-23T02:00:00")


def test_the_panel_endpoint_refuses_what_it_should(cast):
    assert api().get(panel_url("open_by_priority")).status_code == 401
    assert api(cast.requester_zhao).get(panel_url("open_by_priority")).status_code == 403
    forbidden = api(cast.agent_li).get(panel_url("kpi_scorecard"))
    assert forbidden.status_code == 403 and forbidden.json()["code"] == "forbidden"
    assert api(cast.leader_ma).get(panel_url("kpi_scorecard")).status_code == 200
    assert api(cast.agent_li).get(panel_url("no_such_panel")).status_code == 404
    with translation.override("en"):
        invalid = api(cast.lead_wang).get(panel_url("escalations"),
                                          {"team": "x", "period": "month", "year": "2026",
                                           "month": "13"}, HTTP_ACCEPT_LANGUAGE="en")
    assert invalid.status_code == 422
    assert invalid.json()["fields"] == {"team": "Must be a number.",
                                        "month": "Give a whole number from 1 to 12."}


def busy_desk(cast, count: int) -> None:
    """`count` rounds of tickets in every state the panels look at."""
    desk = Desk(cast)
    for index in range(count):
        cast.log(title=f"新事件 {index}", impact="high", urgency="critical")
        desk.closed(title=f"已关闭 {index}")
        desk.assigned(title=f"转派 {index}", team=cast.l1)


def queries_per_panel(user) -> dict[str, int]:
    counts = {}
    for name, panel in dashboards.PANELS.items():
        with CaptureQueriesContext(connection) as captured:
            panel(user, PanelFilters(), clock.now())
        counts[name] = len(captured)
    return counts


def test_a_panel_costs_the_same_queries_with_more_tickets(cast):
    busy_desk(cast, 1)
    few = queries_per_panel(cast.lead_wang)
    busy_desk(cast, 4)
    many = queries_per_panel(cast.lead_wang)
    assert many == few
    # The management panels cost what the KPI engine costs per KPI source.
    operational = set(dashboards.PANELS) - set(dashboards.DASHBOARDS["management"].panels)
    assert max(few[name] for name in operational) <= 3, few
