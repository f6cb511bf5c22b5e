"""Helpers for the REST API tests: a JSON client per cast member, signed in
with a real bearer token, the body of a typical phone-logged fault, and
incidents walked to a given state through the real actions."""

import json

import pytest
from django.test import Client

from opsdesk.core.models import ApiToken, TimelineEvent
from opsdesk.incidents import actions
from opsdesk.incidents.models import Incident

BASE = "/api/v1"


class Api:
    """Django's test client speaking JSON to /api/v1 as one user (or nobody).
    CSRF checks are enforced, as they are for a real client."""

    def __init__(self, user=None, *, language: str | None = None):
        headers = {}
        if user is not None:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {ApiToken.issue(user)[1]}"
        if language is not None:
            headers["HTTP_ACCEPT_LANGUAGE"] = language
        self.client = Client(enforce_csrf_checks=True, **headers)

    def request(self, method: str, path: str, body=None, **headers):
        if method == "get":
            return self.client.get(BASE + path, body or {}, **headers)
        return getattr(self.client, method)(
            BASE + path, json.dumps(body if body is not None else {}),
            content_type="application/json", **headers,
        )

    def get(self, path: str, params=None, **headers):
        return self.request("get", path, params, **headers)

    def post(self, path: str, body=None, **headers):
        return self.request("post", path, body, **headers)

    def patch(self, path: str, body, **headers):
        return self.request("patch", path, body, **headers)

    def act(self, incident, action: str, body=None):
        number = incident if isinstance(incident, str) else incident.number
        return self.post(f"/incidents/{number}/actions/{action}", body)


@pytest.fixture
def as_agent(cast):
    return Api(cast.agent_li)


@pytest.fixture
def as_engineer(cast):
    return Api(cast.engineer_chen)


def phone_fault(**overrides) -> dict:
    """What an agent sends for requester_zhao's slow online banking."""
    body = {
        "title": "网银系统登录缓慢",
        "description": "客户反映网银登录需要一分钟以上",
        "kind": "fault",
        "channel": "phone",
        "impact": "medium",
        "urgency": "high",
        "category": "虚拟机磁盘变更",
        "ci": "vm-web-01",
        "service": "cloud-vm",
        "customer": "huaxin",
        "requester": {"name": "赵敏", "email": "zhao@example.com", "phone": "13800000000"},
    }
    body.update(overrides)
    return body


def written() -> tuple[int, int]:
    """How many incidents and timeline events exist: bad input must change neither."""
    return Incident.objects.count(), TimelineEvent.objects.count()


def assert_error(response, status: int, code: str, fields=()):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    assert body["message"]
    assert set(body.get("fields", {})) == set(fields)
    return body


# Incidents walked through the real actions, as engineer_chen's L2 ticket.


def assigned(cast, **log_fields) -> Incident:
    incident = cast.log(**log_fields)
    return actions.assign(incident, actor=cast.agent_li, source="web",
                          expected_version=incident.version, team=cast.l2,
                          assignee=cast.engineer_chen)


def in_progress(cast, **log_fields) -> Incident:
    incident = assigned(cast, **log_fields)
    return actions.accept(incident, actor=cast.engineer_chen, source="web",
                          expected_version=incident.version)


def resolved(cast, closure_code="successful", **log_fields) -> Incident:
    incident = in_progress(cast, **log_fields)
    return actions.resolve(incident, actor=cast.engineer_chen, source="web",
                           expected_version=incident.version, closure_code=closure_code,
                           solution="扩容了数据盘")


def closed(cast, **log_fields) -> Incident:
    incident = resolved(cast, **log_fields)
    return actions.confirm(incident, actor=cast.agent_li, source="web",
                           expected_version=incident.version)
