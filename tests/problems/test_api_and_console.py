"""The API and the console: raise, act, link; INC-16 through both; known-error search."""

import pytest
from django.urls import reverse

from opsdesk.problems.models import Problem

from ..api.conftest import Api, assert_error
from ..incidents.helpers import fresh
from .conftest import walk_to


@pytest.fixture
def as_user(client):
    def sign_in(user):
        client.force_login(user)
        client.cookies["django_language"] = "en"
        return client
    return sign_in


def test_api_resolve_with_a_workaround_needs_a_problem(desk):
    incident = desk.in_progress()
    api = Api(desk.cast.engineer_chen)
    body = {"version": incident.version, "closure_code": "workaround", "solution": "重启服务"}
    assert_error(api.act(incident, "resolve", body), 422, "invalid", ["problem"])
    assert fresh(incident).status == "in_progress"
    assert_error(api.act(incident, "resolve", {**body, "problem": "PRB-20990101-0001"}), 422,
                 "invalid", ["problem"])
    response = api.act(incident, "resolve", {**body, "problem": "new"})
    assert response.status_code == 200, response.content
    assert Problem.objects.get().incidents.get() == fresh(incident)


def test_api_raises_reads_acts_and_links(desk):
    cast = desk.cast
    api = Api(cast.agent_li)
    response = api.post("/problems", {"title": "专线反复中断", "source": "after_sales",
                                      "ci": "vm-web-01", "level": "high"})
    assert response.status_code == 201, response.content
    problem = response.json()
    assert (problem["state"], problem["ci"], problem["level"]) == ("accepted", "vm-web-01",
                                                                  "high")
    registered = api.post(f"/problems/{problem['number']}/actions/register",
                          {"version": problem["version"], "category": "network"}).json()
    assert registered["state"] == "registered"
    refused = api.post(f"/problems/{problem['number']}/actions/assign",
                       {"version": registered["version"], "owner": "engineer_chen"})
    assert_error(refused, 403, "forbidden")
    assigned = Api(cast.problem_manager_gao).post(
        f"/problems/{problem['number']}/actions/assign",
        {"version": registered["version"], "owner": "engineer_chen", "team": "二线系统组"})
    assert assigned.json()["owner"] == "engineer_chen", assigned.content
    incident = cast.log()
    linked = api.post(f"/problems/{problem['number']}/actions/link-incident",
                      {"incident": incident.number}).json()
    assert linked["incidents"] == [incident.number]
    assert_error(api.post("/problems", {"title": "", "source": "nowhere"}), 422, "invalid",
                 ["source"])
    assert_error(Api(cast.requester_zhao).get(f"/problems/{problem['number']}"), 403,
                 "forbidden")


def test_console_resolve_form_requires_a_problem_for_a_workaround(desk, as_user):
    incident = desk.in_progress()
    client = as_user(desk.cast.engineer_chen)
    data = {"version": incident.version, "closure_code": "workaround", "solution": "重启服务",
            "resolver_role": "l2", "category": desk.cast.category.pk, "ci": desk.cast.ci.pk}
    url = reverse("incidents:act", args=[incident.number, "resolve"])
    refused = client.post(url, data)
    assert refused.status_code == 422
    assert b"needs a problem record" in refused.content
    assert fresh(incident).status == "in_progress"
    assert client.post(url, {**data, "problem": "new"}).status_code == 302
    assert fresh(incident).status == "resolved" and Problem.objects.count() == 1


def test_console_problem_flow_and_known_error_on_the_incident_page(desk, as_user):
    cast = desk.cast
    problem = walk_to(cast, "known_error")
    incident = desk.in_progress(title="网银登录又慢了")
    client = as_user(cast.engineer_chen)
    page = client.get(incident.get_absolute_url())
    assert page.status_code == 200
    assert problem.number.encode() in page.content  # found by CI and text
    assert b"Apply workaround" in page.content and b"Raise problem" in page.content
    applied = client.post(reverse("problems:act", args=[problem.number, "apply-workaround"]),
                          {"incident": incident.number})
    assert applied.status_code == 302
    assert list(problem.incidents.all()) == [fresh(incident)]
    detail = client.get(problem.get_absolute_url())
    assert detail.status_code == 200 and incident.number.encode() in detail.content
    moved = client.post(reverse("problems:act", args=[problem.number, "identify-solution"]),
                        {"version": problem.version, "root_cause": "连接池过小",
                         "solution": "连接池调到 200", "preventive_actions": ""})
    assert moved.status_code == 302
    assert Problem.objects.get(pk=problem.pk).state == "solution_identified"
    for name in ("open", "known_errors", "proposed", "mine", "all"):
        assert client.get(reverse("problems:queue"), {"queue": name}).status_code == 200
    found = client.get(reverse("problems:known_errors"), {"q": "网银登录"})
    assert problem.number.encode() in found.content


def test_console_raise_problem_from_an_incident(desk, as_user):
    incident = desk.in_progress()
    client = as_user(desk.cast.agent_li)
    url = reverse("problems:new")
    form = client.get(url, {"incident": incident.number})
    assert incident.title.encode() in form.content
    created = client.post(url, {"title": incident.title, "origin": "first_of_a_kind",
                                "level": "medium", "incident": incident.number})
    assert created.status_code == 302
    assert Problem.objects.get().incidents.get() == fresh(incident)


def test_requesters_never_see_problems(desk, as_user):
    problem = walk_to(desk.cast, "accepted")
    client = as_user(desk.cast.requester_zhao)
    assert client.get(problem.get_absolute_url()).status_code == 403
