"""Zabbix through a webhook media type (README: the script to paste). One
call per event: a problem, or the recovery of one. Also reads the shorter
shape older integrations send (hostname, trigger, status PROBLEM/OK, link)."""

import json
from urllib.parse import parse_qs, urlsplit

from django.utils.translation import gettext_lazy as _

from .common import (
    FIRING,
    RESOLVED,
    Context,
    IncomingAlert,
    PayloadError,
    digest,
    require_object,
    string_map,
    text,
    timestamp,
)

# {EVENT.STATUS} is PROBLEM or RESOLVED; {EVENT.VALUE} is 1 or 0; older
# notifications say OK.
STATUSES = {"problem": FIRING, "1": FIRING, "firing": FIRING,
            "resolved": RESOLVED, "ok": RESOLVED, "0": RESOLVED}


def parse(payload, context: Context) -> list[IncomingAlert]:
    payload = require_object(payload, "body")
    host = text(payload.get("host") or payload.get("hostname"), "host", required=True,
                limit=200)
    status_text = text(payload.get("status"), "status", required=True).lower()
    if status_text not in STATUSES:
        raise PayloadError("status", _("Must be PROBLEM, RESOLVED or OK."))
    status = STATUSES[status_text]
    trigger = text(payload.get("trigger"), "trigger", required=True, limit=200)
    url = text(payload.get("url") or payload.get("link"), "url", limit=1000)
    # A recovery often words the trigger differently ("… is reachable"): the
    # trigger id, sent or read from the event link, is what stays the same.
    trigger_id = text(payload.get("trigger_id"), "trigger_id") or _trigger_id_in(url) or trigger
    labels = {**_tags(payload.get("tags")), "host": host, "trigger_id": trigger_id}
    severity = text(payload.get("severity"), "severity", limit=50)
    if severity:
        labels["severity"] = severity
    if payload.get("item"):
        labels["item"] = text(payload.get("item"), "item", limit=200)
    starts_at = timestamp(payload.get("started_at"), "started_at", context) or context.now
    ends_at = None
    if status == RESOLVED:
        ends_at = timestamp(payload.get("recovered_at"), "recovered_at", context) or context.now
    return [IncomingAlert(
        fingerprint=digest("zabbix", host, trigger_id), status=status, name=trigger,
        starts_at=starts_at, ends_at=ends_at, summary=trigger,
        description=text(payload.get("message"), "message", limit=5000), host=host,
        severity=severity, labels=labels, url=url,
        group=text(payload.get("group"), "group", limit=300),
    )]


def _trigger_id_in(url: str) -> str:
    values = parse_qs(urlsplit(url).query).get("triggerid") if url else None
    return values[0] if values else ""


def _tags(value) -> dict[str, str]:
    """{EVENT.TAGSJSON} is a JSON text of [{"tag": …, "value": …}]; an
    object of tag → value is taken too."""
    if isinstance(value, str):
        if not value.strip():
            return {}
        try:
            value = json.loads(value)
        except ValueError:
            raise PayloadError("tags", _("Must be JSON: use {EVENT.TAGSJSON}.")) from None
    if isinstance(value, list):
        pairs = {}
        for i, tag in enumerate(value):
            tag = require_object(tag, f"tags[{i}]")
            pairs[text(tag.get("tag"), f"tags[{i}].tag", required=True)] = text(
                tag.get("value"), f"tags[{i}].value")
        return pairs
    return string_map(value, "tags")
