"""Mapping rules (labels → CI, service, category, impact, urgency, team) and
maintenance windows (alerts recorded, no tickets)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from opsdesk.alerts import actions
from opsdesk.alerts.models import Alert, MappingRule
from opsdesk.core.errors import Invalid
from opsdesk.core.models import Category, ConfigurationItem
from opsdesk.incidents.models import Incident

from .conftest import am_alert, am_group, only_incident, resolved

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def test_severity_critical_maps_to_high_impact_and_critical_urgency(prometheus):
    prometheus.source.rules.create(label="severity", value="critical", impact="high",
                                   urgency="critical")
    prometheus.deliver(am_group(am_alert("NodeDown", severity="critical")))
    incident = only_incident()
    assert (incident.impact, incident.urgency, incident.priority) == ("high", "critical", 1)


def test_without_a_matching_rule_the_source_defaults_apply(prometheus):
    prometheus.source.rules.create(label="severity", value="critical", impact="high")
    prometheus.deliver(am_group(am_alert("NodeDown", severity="info")))
    incident = only_incident()
    assert (incident.impact, incident.urgency, incident.priority) == ("medium", "medium", 4)


def test_a_regex_rule_names_the_ci_team_and_category(prometheus, cast):
    db = ConfigurationItem.objects.create(name="数据库集群", ci_type="cluster",
                                          service=cast.service)
    category = Category.objects.create(name="数据库故障")
    prometheus.source.rules.create(label="instance", value=r"db-\d+:9104", is_regex=True,
                                   ci=db, team=cast.l3, category=category)
    prometheus.deliver(am_group(am_alert("MySQLDown", "db-07:9104")))
    incident = only_incident()
    assert (incident.ci, incident.team, incident.category) == (db, cast.l3, category)
    assert incident.service == cast.service


def test_for_each_field_the_first_matching_rule_wins(prometheus, cast):
    prometheus.source.rules.create(order=2, label="alertname", value="NodeDown",
                                   impact="low", urgency="low", team=cast.l1)
    prometheus.source.rules.create(order=1, label="severity", value="critical",
                                   impact="high")
    prometheus.deliver(am_group(am_alert("NodeDown")))
    incident = only_incident()
    assert (incident.impact, incident.urgency, incident.team) == ("high", "low", cast.l1)


def test_an_incident_routed_to_any_team_still_closes_when_alerts_clear(prometheus, cast):
    prometheus.source.rules.create(label="alertname", value="NodeDown", team=cast.vendor)
    group = am_group(am_alert("NodeDown"))
    prometheus.deliver(group)
    prometheus.deliver(resolved(group))
    incident = only_incident()
    assert (incident.team, incident.status) == (cast.vendor, "closed")


def test_a_rule_with_a_broken_regular_expression_is_refused_and_never_matches(prometheus):
    rule = MappingRule(source=prometheus.source, label="instance", value="db-(", is_regex=True)
    with pytest.raises(ValidationError) as raised:
        rule.full_clean()
    assert "value" in raised.value.message_dict
    rule.impact = "high"
    rule.save()
    prometheus.deliver(am_group(am_alert("NodeDown", "db-(:1")))
    assert only_incident().impact == "medium"


def window(cast, *, minutes_from=-10, minutes_to=60, **target):
    return actions.add_maintenance_window(
        actor=cast.lead_wang, starts_at=NOW + timedelta(minutes=minutes_from),
        ends_at=NOW + timedelta(minutes=minutes_to), reason="CHG-20261123-001 磁盘扩容",
        **target)


def test_a_maintenance_window_on_the_ci_records_alerts_without_a_ticket(prometheus, cast):
    planned = window(cast, ci=cast.ci)
    body = prometheus.deliver(am_group(am_alert("NodeDown")))
    assert (body["suppressed"], body["incidents_opened"]) == (1, [])
    alert = Alert.objects.get()
    assert (alert.incident, alert.suppressed_by, alert.status) == (None, planned, "firing")
    assert Incident.objects.count() == 0


def test_a_window_on_the_service_covers_its_cis(prometheus, cast):
    window(cast, service=cast.service)
    prometheus.deliver(am_group(am_alert("NodeDown")))
    assert Incident.objects.count() == 0


def test_repeats_during_maintenance_count_on_the_recorded_alert(prometheus, cast, frozen):
    window(cast, ci=cast.ci)
    prometheus.deliver(am_group(am_alert("NodeDown")))
    frozen.shift(timedelta(minutes=5))
    prometheus.deliver(am_group(am_alert("NodeDown", starts="2026-11-23T02:04:00Z")))
    alert = Alert.objects.get()
    assert (alert.occurrences, alert.incident) == (2, None)


def test_an_alert_still_firing_after_the_window_opens_an_incident(prometheus, cast, frozen):
    window(cast, ci=cast.ci, minutes_to=30)
    prometheus.deliver(am_group(am_alert("NodeDown")))
    frozen.shift(timedelta(minutes=31))
    body = prometheus.deliver(am_group(am_alert("NodeDown", starts="2026-11-23T02:20:00Z")))
    assert len(body["incidents_opened"]) == 1
    during, after = Alert.objects.order_by("id")
    assert (during.current, during.incident) == (False, None)
    assert after.incident == only_incident()


def test_windows_of_other_cis_and_past_windows_suppress_nothing(prometheus, cast):
    other = ConfigurationItem.objects.create(name="vm-app-09", ci_type="virtual_machine")
    window(cast, ci=other)
    window(cast, ci=cast.ci, minutes_from=-120, minutes_to=-60)
    prometheus.deliver(am_group(am_alert("NodeDown")))
    assert Incident.objects.count() == 1


@pytest.mark.parametrize(("kwargs", "fields"), [
    ({}, {"ci"}),
    ({"ci": "ci", "minutes_from": 10, "minutes_to": 5}, {"ends_at"}),
    ({"ci": "ci", "reason": " "}, {"reason"}),
])
def test_a_bad_maintenance_window_is_refused(cast, kwargs, fields):
    target = {"ci": cast.ci} if kwargs.pop("ci", None) else {}
    start = NOW + timedelta(minutes=kwargs.pop("minutes_from", 0))
    end = NOW + timedelta(minutes=kwargs.pop("minutes_to", 60))
    with pytest.raises(Invalid) as raised:
        actions.add_maintenance_window(actor=cast.lead_wang, starts_at=start, ends_at=end,
                                       reason=kwargs.get("reason", "变更"), **target)
    assert set(raised.value.fields) == fields
