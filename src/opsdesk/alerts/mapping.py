"""From an alert's labels to the incident's fields (mapping rules), its
correlation scope, and the maintenance window that covers it, if any."""

import re
from dataclasses import dataclass

from opsdesk.sla.choices import Impact, Urgency

from . import store
from .formats import IncomingAlert
from .formats.common import digest
from .store import CiRef, Rule, Window

# What a rule may set, as ids of the routed objects (or choice values).
ROUTED_FIELDS = ("ci", "service_id", "category_id", "impact", "urgency", "team_id")
# Most severe first: a storm incident takes the worst of its alerts.
IMPACT_ORDER = [Impact.HIGH, Impact.MEDIUM, Impact.LOW]
URGENCY_ORDER = [Urgency.CRITICAL, Urgency.HIGH, Urgency.MEDIUM, Urgency.LOW]


@dataclass(frozen=True)
class Routing:
    """Where an alert's incident goes, by ids: the objects are loaded only
    when an incident is opened (tickets.open_incident)."""

    ci_id: int | None
    service_id: int | None
    category_id: int | None
    customer_id: int | None
    team_id: int | None
    impact: str
    urgency: str
    scope: str
    scope_label: str


def matches(rule: Rule, labels: dict[str, str]) -> bool:
    value = labels.get(rule.label)
    if value is None:
        return False
    if rule.is_regex:
        try:
            return re.fullmatch(rule.value, value) is not None
        except re.error:
            return False
    return value == rule.value


def route(rules: list[Rule], alert: IncomingAlert, source,
          ci_by_name: dict[str, CiRef]) -> Routing:
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
    service_id = chosen.get("service_id") or (ci.service_id if ci is not None else None)
    customer_id = ci.customer_id if ci is not None and ci.customer_id \
        else source.default_customer_id
    scope, scope_label = scope_of(alert, ci)
    return Routing(
        ci_id=ci.id if ci is not None else None, service_id=service_id,
        customer_id=customer_id,
        category_id=chosen.get("category_id") or source.default_category_id,
        team_id=chosen.get("team_id") or source.default_team_id,
        impact=chosen.get("impact") or source.default_impact,
        urgency=chosen.get("urgency") or source.default_urgency,
        scope=scope, scope_label=scope_label,
    )


def scope_of(alert: IncomingAlert, ci: CiRef | None) -> tuple[str, str]:
    """What a storm is counted over: the CI, else the sender's alert group,
    else the alert alone."""
    if ci is not None:
        return f"ci:{ci.id}", ci.name
    if alert.group:
        return f"group:{digest(alert.group)}", alert.group_label or alert.group[:200]
    return f"alert:{alert.fingerprint}", alert.host or alert.name


def route_all(source, alerts: list[IncomingAlert]) -> list[Routing]:
    if not alerts:
        return []
    rules = store.rules_of(source.pk)
    ci_by_name = store.cis_named({alert.host for alert in alerts if alert.host})
    return [route(rules, alert, source, ci_by_name) for alert in alerts]


def window_for(windows: list[Window], routing: Routing) -> Window | None:
    for window in windows:
        if routing.ci_id is not None and window.ci_id == routing.ci_id:
            return window
        if routing.service_id is not None and window.service_id == routing.service_id:
            return window
    return None


def most_severe(values, order) -> str:
    return min(values, key=order.index)
