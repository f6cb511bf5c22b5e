"""Prometheus Alertmanager webhook (version 4, and 3 which it extends): one
call per alert group, each alert with its labels, start and end, and (since
0.19) a fingerprint."""

from django.utils.translation import gettext_lazy as _

from .common import (
    FIRING,
    RESOLVED,
    Context,
    IncomingAlert,
    PayloadError,
    digest,
    host_of,
    require_list,
    require_object,
    string_map,
    text,
    timestamp,
)

HOST_LABELS = ("instance", "host", "hostname", "node")


def parse(payload, context: Context) -> list[IncomingAlert]:
    payload = require_object(payload, "body")
    group = text(payload.get("groupKey"), "groupKey", limit=1000)
    group_labels = string_map(payload.get("groupLabels"), "groupLabels")
    group_label = ", ".join(f"{k}={v}" for k, v in sorted(group_labels.items()))
    alerts = require_list(payload.get("alerts"), "alerts")
    return [parse_alert(item, f"alerts[{i}]", context, group=group, group_label=group_label)
            for i, item in enumerate(alerts)]


def parse_alert(item, where: str, context: Context, *, group: str,
                group_label: str) -> IncomingAlert:
    """One alert in Alertmanager's shape (Grafana's unified alerting sends the same)."""
    item = require_object(item, where)
    labels = string_map(item.get("labels"), f"{where}.labels")
    if not labels:
        raise PayloadError(f"{where}.labels", _("An alert needs at least one label."))
    annotations = string_map(item.get("annotations"), f"{where}.annotations")
    status = text(item.get("status"), f"{where}.status", required=True)
    if status not in (FIRING, RESOLVED):
        raise PayloadError(f"{where}.status", _("Must be “firing” or “resolved”."))
    starts_at = timestamp(item.get("startsAt"), f"{where}.startsAt", context) or context.now
    ends_at = timestamp(item.get("endsAt"), f"{where}.endsAt", context)
    if status == FIRING:
        # A firing alert's endsAt is when Alertmanager would give up on it.
        ends_at = None
    elif ends_at is None:
        ends_at = context.now
    fingerprint = text(item.get("fingerprint"), f"{where}.fingerprint", limit=200) or \
        label_fingerprint(labels)
    host = next((labels[name] for name in HOST_LABELS if labels.get(name)), "")
    return IncomingAlert(
        fingerprint=fingerprint, status=status,
        name=labels.get("alertname") or fingerprint,
        starts_at=starts_at, ends_at=ends_at,
        summary=annotations.get("summary") or annotations.get("message", ""),
        description=annotations.get("description", ""),
        host=host_of(host), severity=labels.get("severity", ""),
        labels=labels, annotations=annotations,
        url=text(item.get("generatorURL"), f"{where}.generatorURL", limit=1000),
        group=group, group_label=group_label,
    )


def label_fingerprint(labels: dict[str, str]) -> str:
    """For senders too old to send one: the label set identifies the alert."""
    return digest(*(f"{k}={v}" for k, v in sorted(labels.items())))
