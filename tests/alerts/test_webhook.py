"""POST /api/v1/alerts/{source}: the source's own token, clear JSON errors
that change nothing, and each sender's firing → resolved cycle."""

from datetime import timedelta

import pytest

from opsdesk.alerts import tickets
from opsdesk.alerts.models import Alert
from opsdesk.core.models import ApiToken

from .conftest import am_alert, am_group, load, only_incident, state


@pytest.mark.parametrize("token", ["", "wrong-token", "user-token"])
def test_only_the_sources_own_token_is_accepted(prometheus, cast, token):
    if token == "user-token":
        token = ApiToken.issue(cast.agent_li)[1]
    before = state()
    response = prometheus.post(am_group(am_alert()), token=token,
                               HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert response.json() == {
        "code": "not_authenticated",
        "message": "Send this alert source’s token: Authorization: Bearer TOKEN."}
    assert state() == before


def test_one_sources_token_does_not_open_another(make_source):
    grafana, zabbix = make_source("grafana"), make_source("zabbix")
    response = grafana.post(load("zabbix_problem.json"), name="zabbix")
    assert response.status_code == 401
    assert zabbix.post(load("zabbix_problem.json")).status_code == 200


def test_an_unknown_source_is_named_in_the_error(prometheus):
    before = state()
    response = prometheus.post(am_group(am_alert()), name="nagios", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found",
                               "message": "There is no alert source named “nagios”."}
    assert state() == before


def test_a_switched_off_source_is_refused(prometheus):
    prometheus.source.active = False
    prometheus.source.save()
    response = prometheus.post(am_group(am_alert()), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert response.json()["message"] == "The alert source “prometheus” is switched off."


@pytest.mark.parametrize("raw", [b"{not json", b"\xff\xfe\x00", b""])
def test_a_body_that_is_not_json_changes_nothing(prometheus, raw):
    before = state()
    response = prometheus.post(None, raw=raw, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    assert response.json()["fields"] == {"body": "The request body is not valid JSON."}
    assert state() == before


def test_a_payload_in_the_wrong_shape_names_the_field_and_changes_nothing(prometheus):
    payload = am_group(am_alert("A"), am_alert("B"))
    payload["alerts"][1]["status"] = "exploded"
    before = state()
    response = prometheus.post(payload, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    assert response.json()["fields"] == {"alerts[1].status": "Must be “firing” or “resolved”."}
    assert state() == before


def test_errors_are_in_chinese_by_default(prometheus):
    response = prometheus.post(None, raw=b"{")
    assert response.json() == {"code": "invalid", "message": "部分字段无效。",
                               "fields": {"body": "请求体不是有效的 JSON。"}}


def test_zabbix_problem_then_recovery_opens_and_closes_one_incident(make_source, frozen):
    zabbix = make_source("zabbix")
    opened = zabbix.deliver(load("zabbix_problem.json"))
    incident = only_incident()
    assert opened["incidents_opened"] == [incident.number]
    assert incident.title == "Nginx 进程不存在 (vm-web-01)"
    frozen.shift(timedelta(minutes=1))
    closed = zabbix.deliver(load("zabbix_resolved.json"))
    incident.refresh_from_db()
    assert closed["incidents_closed"] == [incident.number]
    assert incident.status == "closed"
    assert incident.business_recovered_at.isoformat() == "2026-11-23T01:58:47+00:00"


def test_grafana_unified_firing_then_resolved(make_source, cast, frozen):
    from opsdesk.core.models import ConfigurationItem

    ConfigurationItem.objects.create(name="db-core-01", ci_type="database")
    grafana = make_source("grafana")
    payload = load("grafana_unified_firing.json")
    grafana.deliver(payload)
    frozen.shift(timedelta(minutes=3))
    payload["status"] = payload["alerts"][0]["status"] = "resolved"
    payload["alerts"][0]["endsAt"] = "2026-11-23T02:02:00Z"
    grafana.deliver(payload)
    incident = only_incident()
    assert (incident.ci.name, incident.status) == ("db-core-01", "closed")


def test_grafana_legacy_alerting_then_ok(make_source, frozen):
    grafana = make_source("grafana")
    grafana.deliver(load("grafana_legacy_alerting.json"))
    frozen.shift(timedelta(minutes=1))
    grafana.deliver(load("grafana_legacy_ok.json"))
    assert only_incident().status == "closed"


def test_generic_firing_then_resolved(make_source, frozen):
    generic = make_source("generic")
    payload = load("generic.json")
    generic.deliver(payload)
    frozen.shift(timedelta(minutes=1))
    payload["alerts"][0]["status"] = "resolved"
    generic.deliver(payload)
    assert only_incident().status == "closed"
    assert Alert.objects.get().status == "resolved"


def test_a_crash_in_the_middle_of_a_group_leaves_no_trace_of_it(prometheus, monkeypatch):
    """One transaction per delivery: the first alert's incident is undone
    with the second's failure, and Alertmanager's retry starts afresh."""
    real_open, calls = tickets.open_incident, []

    def open_then_crash(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return real_open(*args, **kwargs)

    monkeypatch.setattr(tickets, "open_incident", open_then_crash)
    payload = am_group(am_alert("A"), am_alert("B"))
    before = state()
    with pytest.raises(RuntimeError):
        prometheus.post(payload)
    assert state() == before
    monkeypatch.setattr(tickets, "open_incident", real_open)
    assert len(prometheus.deliver(payload)["incidents_opened"]) == 2
