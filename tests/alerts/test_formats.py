"""The format parsers: a sender's JSON in, normalised alerts out (pure)."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from opsdesk.alerts.formats import Context, PayloadError, parse

from .conftest import load

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
CONTEXT = Context(now=NOW, zone=ZoneInfo("Asia/Shanghai"))


def test_alertmanager_v4_group():
    first, second = parse("alertmanager", load("alertmanager_firing.json"), CONTEXT)
    assert (first.fingerprint, first.status, first.name) == (
        "7f3a9c21d04be811", "firing", "NodeFilesystemAlmostFull")
    assert (first.host, first.severity, first.summary) == ("vm-web-01", "critical", "磁盘空间不足")
    assert first.description == "/data 已使用 96%"
    assert first.starts_at == datetime(2026, 11, 23, 1, 52, 10, 123456, tzinfo=UTC)
    assert first.ends_at is None
    assert first.labels["mountpoint"] == "/data"
    assert first.group == second.group != ""
    assert first.group_label == "alertname=NodeFilesystemAlmostFull, instance=vm-web-01:9100"
    assert second.fingerprint == "0c55e1a7b2f94d30"


def test_alertmanager_resolved_alerts_carry_their_end():
    first, second = parse("alertmanager", load("alertmanager_resolved.json"), CONTEXT)
    assert (first.status, first.ends_at) == ("resolved", datetime(2026, 11, 23, 1, 58,
                                                                  tzinfo=UTC))
    assert second.ends_at == datetime(2026, 11, 23, 1, 59, 30, tzinfo=UTC)


def test_a_resolved_alert_without_an_end_ends_when_received():
    payload = load("alertmanager_resolved.json")
    payload["alerts"][0]["endsAt"] = "0001-01-01T00:00:00Z"
    assert parse("alertmanager", payload, CONTEXT)[0].ends_at == NOW


def test_without_a_fingerprint_the_label_set_identifies_the_alert():
    payload = load("alertmanager_firing.json")
    for alert in payload["alerts"]:
        del alert["fingerprint"]
    first, second = parse("alertmanager", payload, CONTEXT)
    payload["alerts"][0]["labels"] = dict(reversed(payload["alerts"][0]["labels"].items()))
    again = parse("alertmanager", payload, CONTEXT)[0]
    assert first.fingerprint == again.fingerprint != second.fingerprint


@pytest.mark.parametrize(("change", "field"), [
    (lambda p: p.update(alerts={}), "alerts"),
    (lambda p: p["alerts"][1].update(status="bad"), "alerts[1].status"),
    (lambda p: p["alerts"][0].update(labels={}), "alerts[0].labels"),
    (lambda p: p["alerts"][0].update(startsAt="yesterday"), "alerts[0].startsAt"),
    (lambda p: p["alerts"][0].update(labels=["a"]), "alerts[0].labels"),
    (lambda p: p["alerts"].append("text"), "alerts[2]"),
])
def test_alertmanager_errors_name_the_field(change, field):
    payload = load("alertmanager_firing.json")
    change(payload)
    with pytest.raises(PayloadError) as raised:
        parse("alertmanager", payload, CONTEXT)
    assert raised.value.field_name == field


def test_grafana_unified_alerting_is_read_like_alertmanager():
    (alert,) = parse("grafana", load("grafana_unified_firing.json"), CONTEXT)
    assert (alert.fingerprint, alert.name, alert.host) == (
        "5b0e2d61c9aa7714", "MySQL 连接数过高", "db-core-01")
    assert (alert.severity, alert.summary) == ("warning", "连接数 1890 / 2000")
    assert alert.url.startswith("https://grafana.example.cn/alerting/")


def test_grafana_legacy_alerting_and_ok_are_one_alert():
    (alerting,) = parse("grafana", load("grafana_legacy_alerting.json"), CONTEXT)
    (ok,) = parse("grafana", load("grafana_legacy_ok.json"), CONTEXT)
    assert alerting.fingerprint == ok.fingerprint
    assert (alerting.status, ok.status) == ("firing", "resolved")
    assert (alerting.name, alerting.host, alerting.severity) == (
        "Web 服务器 CPU 过高", "vm-web-01", "critical")
    assert ok.ends_at == NOW


@pytest.mark.parametrize("state", ["pending", "paused"])
def test_grafana_legacy_rule_states_that_say_nothing_are_skipped(state):
    payload = load("grafana_legacy_alerting.json")
    payload["state"] = state
    assert parse("grafana", payload, CONTEXT) == []


def test_zabbix_problem_and_recovery_are_one_alert_in_local_time():
    (problem,) = parse("zabbix", load("zabbix_problem.json"), CONTEXT)
    (recovery,) = parse("zabbix", load("zabbix_resolved.json"), CONTEXT)
    assert problem.fingerprint == recovery.fingerprint
    assert (problem.status, recovery.status) == ("firing", "resolved")
    assert (problem.host, problem.name, problem.severity) == ("vm-web-01", "Nginx 进程不存在",
                                                              "High")
    assert problem.starts_at == datetime(2026, 11, 23, 1, 55, 2, tzinfo=UTC)
    assert recovery.ends_at == datetime(2026, 11, 23, 1, 58, 47, tzinfo=UTC)
    assert problem.labels["component"] == "nginx"


def test_zabbix_short_form_matches_recovery_by_the_trigger_id_in_the_link():
    problem = {"hostname": "db-core-01", "status": "PROBLEM", "severity": "Disaster",
               "trigger": "MySQL is down",
               "link": "https://zabbix.example.cn/tr_events.php?triggerid=77&eventid=1"}
    ok = {**problem, "status": "OK", "trigger": "MySQL is up",
          "link": "https://zabbix.example.cn/tr_events.php?triggerid=77&eventid=2"}
    (first,) = parse("zabbix", problem, CONTEXT)
    (second,) = parse("zabbix", ok, CONTEXT)
    assert first.fingerprint == second.fingerprint
    assert (first.status, second.status) == ("firing", "resolved")


@pytest.mark.parametrize(("change", "field"), [
    ({"status": "MAYBE"}, "status"),
    ({"host": ""}, "host"),
    ({"tags": "not json"}, "tags"),
    ({"started_at": "23/11/2026"}, "started_at"),
])
def test_zabbix_errors_name_the_field(change, field):
    with pytest.raises(PayloadError) as raised:
        parse("zabbix", {**load("zabbix_problem.json"), **change}, CONTEXT)
    assert raised.value.field_name == field


def test_generic_alerts_are_identified_by_source_host_and_check():
    (alert,) = parse("generic", load("generic.json"), CONTEXT)
    single = parse("generic", {**load("generic.json")["alerts"][0],
                               "summary": "changed"}, CONTEXT)[0]
    other_check = parse("generic", {**load("generic.json")["alerts"][0],
                                    "check": "PING"}, CONTEXT)[0]
    assert alert.fingerprint == single.fingerprint != other_check.fingerprint
    assert (alert.host, alert.name, alert.severity) == ("vm-web-01", "HTTP /healthz",
                                                        "critical")
    assert alert.starts_at == datetime(2026, 11, 23, 1, 57, tzinfo=UTC)
    assert alert.labels == {"env": "prod", "host": "vm-web-01", "check": "HTTP /healthz",
                            "severity": "critical"}


def test_generic_errors_name_the_field():
    with pytest.raises(PayloadError) as raised:
        parse("generic", {"alerts": [{"host": "a", "check": "b"}, {"host": "a"}]}, CONTEXT)
    assert raised.value.field_name == "alerts[1].check"
