"""Authentication, the error format and the caller's language, for every endpoint."""

import pytest
from django.test import Client
from django.utils.crypto import get_random_string

from opsdesk.incidents.choices import Action

from .conftest import BASE, Api, assert_error, phone_fault, written

ENDPOINTS = [
    ("get", "/teams"),
    ("get", "/incidents"),
    ("post", "/incidents"),
    ("get", "/incidents/{number}"),
    ("patch", "/incidents/{number}"),
    ("get", "/incidents/{number}/timeline"),
    *[("post", f"/incidents/{{number}}/actions/{action}")
      for action in Action.values if action != Action.UPDATE],
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_every_endpoint_requires_authentication(cast, method, path):
    incident = cast.log()
    before = written()
    response = Api().request(method, path.format(number=incident.number),
                             {"version": 1} if method != "get" else None)
    assert_error(response, 401, "not_authenticated")
    assert written() == before


def test_an_unknown_token_is_not_authenticated(cast):
    client = Client(HTTP_AUTHORIZATION="Bearer od_not-a-real-token")
    assert_error(client.get(f"{BASE}/incidents"), 401, "not_authenticated")


def test_a_deactivated_users_token_stops_working(cast):
    api = Api(cast.agent_li)
    cast.agent_li.is_active = False
    cast.agent_li.save()
    assert_error(api.get("/incidents"), 401, "not_authenticated")


def test_a_signed_in_console_user_may_read_with_the_session(cast):
    incident = cast.log()
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.agent_li)
    response = client.get(f"{BASE}/incidents/{incident.number}")
    assert response.status_code == 200
    assert response.json()["number"] == incident.number


def test_a_session_write_without_the_csrf_token_is_forbidden(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.agent_li)
    before = written()
    response = client.post(f"{BASE}/incidents", phone_fault(), content_type="application/json")
    assert_error(response, 403, "forbidden")
    assert written() == before


def test_a_session_write_with_the_csrf_token_works(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.agent_li)
    token = get_random_string(32)
    client.cookies["csrftoken"] = token
    response = client.post(f"{BASE}/incidents", phone_fault(), content_type="application/json",
                           HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201
    assert response.json()["number"] == "INC-20261123-0001"


def test_errors_default_to_chinese(cast):
    response = Api().get("/incidents")
    assert_error(response, 401, "not_authenticated")
    assert response["Content-Language"] == "zh-hans"


def test_errors_come_in_english_when_asked(cast):
    response = Api(language="en").get("/incidents")
    body = assert_error(response, 401, "not_authenticated")
    assert response["Content-Language"] == "en"
    assert body["message"] == "Authentication required."


def test_field_messages_follow_the_callers_language(cast):
    api = Api(cast.agent_li, language="en")
    response = api.post("/incidents", phone_fault(customer="nobody"))
    body = assert_error(response, 422, "invalid", {"customer"})
    assert response["Content-Language"] == "en"
    assert body["fields"]["customer"] == "Nothing called “nobody” was found."


def test_a_body_that_is_not_json_is_invalid(cast, as_agent):
    before = written()
    response = as_agent.client.post(f"{BASE}/incidents", "{title: oops",
                                    content_type="application/json")
    assert_error(response, 422, "invalid", {"body"})
    assert written() == before


def test_wrong_types_and_missing_fields_are_named(cast, as_agent):
    before = written()
    body = phone_fault(title=42, occurred_at="yesterday", requester={"name": ["x"]})
    del body["urgency"]
    response = as_agent.post("/incidents", body)
    assert_error(response, 422, "invalid",
                 {"title", "urgency", "occurred_at", "requester.name"})
    assert written() == before


def test_unknown_fields_are_refused_not_ignored(cast, as_agent):
    before = written()
    response = as_agent.post("/incidents", phone_fault(priority=1))
    body = assert_error(response, 422, "invalid", {"priority"})
    assert written() == before
    assert body["fields"]["priority"]


def test_an_unknown_incident_is_not_found(cast, as_agent):
    assert_error(as_agent.get("/incidents/INC-20991231-9999"), 404, "not_found")


def test_an_unknown_action_is_not_found(cast, as_agent):
    incident = cast.log()
    before = written()
    assert_error(as_agent.act(incident, "reopen", {"version": 1}), 404, "not_found")
    assert written() == before


def test_the_openapi_document_describes_every_endpoint(cast, as_agent):
    response = as_agent.get("/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    for method, path in ENDPOINTS:
        assert method in paths[BASE + path], path
    assert f"{BASE}/incidents/{{number}}/actions/{{action}}" not in paths
    incident = document["components"]["schemas"]["IncidentRead"]["properties"]
    assert {"number", "status", "priority", "version", "copy", "copied_from"} <= set(incident)
    schemes = document["components"]["securitySchemes"]
    assert {scheme["type"] for scheme in schemes.values()} == {"http", "apiKey"}


def test_the_api_docs_page_opens_for_a_signed_in_user(cast):
    client = Client()
    client.force_login(cast.agent_li)
    response = client.get(f"{BASE}/docs")
    assert response.status_code == 200
    assert b"openapi.json" in response.content


def test_the_api_docs_need_a_signed_in_user_or_a_token(cast):
    anonymous = Client()
    assert_error(anonymous.get(f"{BASE}/openapi.json"), 401, "not_authenticated")
    page = anonymous.get(f"{BASE}/docs")
    assert page.status_code == 302 and page["Location"].startswith("/login/")


def test_the_api_docs_page_loads_its_scripts_locally(cast):
    client = Client()
    client.force_login(cast.agent_li)
    page = client.get(f"{BASE}/docs").content.decode()
    assert "cdn.jsdelivr" not in page and "/static/ninja/" in page
