"""From an alert's labels to the incident's fields (mapping rules), its
correlation scope, and the maintenance window that covers it, if any."""

import re
from dataclasses import dataclass

from opsdesk.core.models import ConfigurationItem
from opsdesk.sla.choices import Impact, Urgency

from .formats import IncomingAlert
from .formats.common import digest
from .models import MaintenanceWindow, MappingRule

ROUTED_FIELDS = ("ci", "service", "category", "impact", "urgency", "team")
# Most severe first: a storm incident takes the worst of its alerts.
IMPACT_ORDER = [Impact.HIGH, Impact.MEDIUM, Impact.LOW]
URGENCY_ORDER = [Urgency.CRITICAL, Urgency.HIGH, Urgency.MEDIUM, Urgency.LOW]


@dataclass(frozen=True)
class Routing:
    ci: ConfigurationItem | None
    service: object
    category: object
    customer: object
    team: object
    impact: str
    urgency: str
    scope: str
    scope_label: str


def matches(rule: MappingRule, labels: dict[str, str]) -> bool:
    value = labels.get(rule.label)
    if value is None:
        return False
    if rule.is_regex:
        try:
            return re.fullmatch(rule.value, value) is not None
        except re.error:
            return False
    return value == rule.value


def route(rules: list[MappingRule], alert: IncomingAlert, source,
          ci_by_name: dict[str, ConfigurationItem]) -> Routing:
    """Each field from the first matching rule that sets it, else the
    source's default. Without a rule naming the CI, a CI whose name is the
    alert's host is taken."""
    chosen = {}
    for rule in rules:
        if matches(rule, alert.labels):
            for name in ROUTED_FIELDS:
                value = getattr(rule, name)
                if name not in chosen and value:
                    chosen[name] = value
    ci = chosen.get("ci") or ci_by_name.get(alert.host)
    service = chosen.get("service") or (ci.service if ci is not None else None)
    customer = ci.customer if ci is not None and ci.customer_id else source.default_customer
    scope, scope_label = scope_of(alert, ci)
    return Routing(
        ci=ci, service=service, customer=customer,
        category=chosen.get("category") or source.default_category,
        team=chosen.get("team") or source.default_team,
        impact=chosen.get("impact") or source.default_impact,
        urgency=chosen.get("urgency") or source.default_urgency,
        scope=scope, scope_label=scope_label,
    )


def scope_of(alert: IncomingAlert, ci) -> tuple[str, str]:
    """What a storm is counted over: the CI, else the sender's alert group,
    else the alert alone."""
    if ci is not None:
        return f"ci:{ci.pk}", str(ci)
    if alert.group:
        return f"group:{digest(alert.group)}", alert.group_label or alert.group[:200]
    return f"alert:{alert.fingerprint}", alert.host or alert.name


def route_all(source, alerts: list[IncomingAlert]) -> list[Routing]:
    rules = list(MappingRule.objects.filter(source=source).select_related(
        "ci__service", "ci__customer", "service", "category", "team"))
    hosts = {alert.host for alert in alerts if alert.host}
    ci_by_name = {ci.name: ci for ci in ConfigurationItem.objects.filter(
        name__in=hosts).select_related("service", "customer")} if hosts else {}
    return [route(rules, alert, source, ci_by_name) for alert in alerts]


def windows_open_at(now) -> list[MaintenanceWindow]:
    return list(MaintenanceWindow.objects.filter(starts_at__lte=now, ends_at__gt=now))


def window_for(windows: list[MaintenanceWindow], routing: Routing) -> MaintenanceWindow | None:
    for window in windows:
        if routing.ci is not None and window.ci_id == routing.ci.pk:
            return window
        if routing.service is not None and window.service_id == routing.service.pk:
            return window
    return None


def most_severe(values, order) -> str:
    return min(values, key=order.index)
