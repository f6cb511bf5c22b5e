"""Monitoring sources for the alert tests: created through the real action,
posting through the real webhook endpoint, with payloads in each sender's
own format (tests/data/alerts holds whole examples we wrote)."""

import copy
import json
from pathlib import Path

import pytest
from django.test import Client

from opsdesk.alerts import actions
from opsdesk.alerts.models import Alert, Delivery
from opsdesk.core.models import TimelineEvent
from opsdesk.incidents.models import Incident

from ..cli.conftest import cli_env, shared_db  # noqa: F401  (fixtures for the CLI tests)

DATA = Path(__file__).resolve().parents[1] / "data" / "alerts"


def load(name: str) -> dict:
    return json.loads((DATA / name).read_text())


class Monitoring:
    """One alert source and a client that posts to its webhook."""

    def __init__(self, source, token: str):
        self.source, self.token = source, token
        self.client = Client()

    def post(self, payload, *, token: str | None = None, name: str | None = None,
             raw: bytes | None = None, **headers):
        token = self.token if token is None else token
        if token:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        body = raw if raw is not None else json.dumps(payload, ensure_ascii=False)
        return self.client.post(f"/api/v1/alerts/{name or self.source.name}", body,
                                content_type="application/json", **headers)

    def deliver(self, payload) -> dict:
        response = self.post(payload)
        assert response.status_code == 200, response.content.decode()
        return response.json()


@pytest.fixture
def make_source(cast):
    def make(kind="alertmanager", name=None, **settings):
        source, token = actions.create_source(name=name or kind, kind=kind, team=cast.l2,
                                              category=cast.category)
        for field, value in settings.items():
            setattr(source, field, value)
        source.save()
        return Monitoring(source, token)

    return make


@pytest.fixture
def prometheus(make_source):
    return make_source("alertmanager", "prometheus")


def am_alert(name="NodeDown", instance="vm-web-01:9100", *, status="firing",
             starts="2026-11-23T01:50:00Z", ends=None, fingerprint=None, **labels) -> dict:
    """One alert as Alertmanager sends it; fingerprint defaults to name+instance."""
    labels = {"alertname": name, "instance": instance, "severity": "critical", **labels}
    return {
        "status": status, "labels": labels,
        "annotations": {"summary": f"{name} on {instance}"},
        "startsAt": starts,
        "endsAt": ends or ("2026-11-23T01:59:00Z" if status == "resolved"
                           else "0001-01-01T00:00:00Z"),
        "generatorURL": "http://prometheus.example.cn:9090/graph?g0.expr=up",
        "fingerprint": fingerprint or f"{name}-{instance}",
    }


def am_group(*alerts, key='{}:{alertname="NodeDown"}') -> dict:
    return {
        "version": "4", "groupKey": key, "truncatedAlerts": 0,
        "status": "firing" if any(a["status"] == "firing" for a in alerts) else "resolved",
        "receiver": "opsdesk", "groupLabels": {"alertname": alerts[0]["labels"]["alertname"]},
        "commonLabels": {}, "commonAnnotations": {},
        "externalURL": "http://alertmanager.example.cn:9093", "alerts": list(alerts),
    }


def resolved(group: dict, ends="2026-11-23T01:59:00Z") -> dict:
    group = copy.deepcopy(group)
    group["status"] = "resolved"
    for alert in group["alerts"]:
        alert["status"], alert["endsAt"] = "resolved", ends
    return group


def state() -> dict:
    """Everything intake may write, to prove a refused or repeated delivery
    wrote nothing."""
    return {
        "alerts": list(Alert.objects.order_by("id").values()),
        "incidents": list(Incident.objects.order_by("id").values()),
        "events": TimelineEvent.objects.count(),
        "deliveries": Delivery.objects.count(),
    }


def only_incident() -> Incident:
    (incident,) = Incident.objects.all()
    return incident
