"""The generic JSON format for any other monitoring system:

    {"alerts": [{"host": "db-01", "check": "disk /var", "status": "firing",
                 "severity": "critical", "summary": "…", "labels": {…}}]}

or one such alert object on its own. An alert is identified by its
`fingerprint` if sent, else by source + host + check."""

from django.utils.translation import gettext_lazy as _

from .common import (
    FIRING,
    RESOLVED,
    Context,
    IncomingAlert,
    PayloadError,
    digest,
    require_list,
    require_object,
    string_map,
    text,
    timestamp,
)


def parse(payload, context: Context) -> list[IncomingAlert]:
    payload = require_object(payload, "body")
    if "alerts" in payload:
        items = require_list(payload["alerts"], "alerts")
        return [_parse_alert(item, f"alerts[{i}]", context) for i, item in enumerate(items)]
    return [_parse_alert(payload, "body", context)]


def _parse_alert(item, where: str, context: Context) -> IncomingAlert:
    item = require_object(item, where)
    host = text(item.get("host"), f"{where}.host", required=True, limit=200)
    check = text(item.get("check"), f"{where}.check", required=True, limit=200)
    status = text(item.get("status") or FIRING, f"{where}.status").lower()
    if status not in (FIRING, RESOLVED):
        raise PayloadError(f"{where}.status", _("Must be “firing” or “resolved”."))
    origin = text(item.get("source"), f"{where}.source", limit=100)
    severity = text(item.get("severity"), f"{where}.severity", limit=50)
    labels = {**string_map(item.get("labels"), f"{where}.labels"), "host": host,
              "check": check}
    if severity:
        labels["severity"] = severity
    starts_at = timestamp(item.get("starts_at"), f"{where}.starts_at", context) or context.now
    ends_at = None
    if status == RESOLVED:
        ends_at = timestamp(item.get("ends_at"), f"{where}.ends_at", context) or context.now
    return IncomingAlert(
        fingerprint=text(item.get("fingerprint"), f"{where}.fingerprint", limit=200)
        or digest("generic", origin, host, check),
        status=status, name=check, starts_at=starts_at, ends_at=ends_at,
        summary=text(item.get("summary"), f"{where}.summary"),
        description=text(item.get("description"), f"{where}.description", limit=5000),
        host=host, severity=severity, labels=labels,
        annotations=string_map(item.get("annotations"), f"{where}.annotations"),
        url=text(item.get("url"), f"{where}.url", limit=1000),
        group=text(item.get("group"), f"{where}.group", limit=300),
    )
