"""Grafana: unified alerting (Grafana 8+) posts Alertmanager's shape; legacy
dashboard alerting (up to Grafana 10) posts one rule's state."""

from django.utils.translation import gettext_lazy as _

from . import alertmanager
from . import common as c
from .common import FIRING, RESOLVED, Context, IncomingAlert, PayloadError

LEGACY_STATES = {"alerting": FIRING, "no_data": FIRING, "ok": RESOLVED}
# A rule being evaluated or switched off says nothing about the system.
LEGACY_IGNORED_STATES = {"pending", "paused"}


def parse(payload, context: Context) -> list[IncomingAlert]:
    payload = c.require_object(payload, "body")
    if "alerts" in payload:
        return alertmanager.parse(payload, context)
    return _parse_legacy(payload, context)


def _parse_legacy(payload: dict, context: Context) -> list[IncomingAlert]:
    state = c.text(payload.get("state"), "state", required=True).lower()
    if state in LEGACY_IGNORED_STATES:
        return []
    if state not in LEGACY_STATES:
        raise PayloadError("state", _("Must be one of: %(options)s.")
                           % {"options": ", ".join([*LEGACY_STATES, *LEGACY_IGNORED_STATES])})
    rule = c.text(payload.get("ruleId"), "ruleId") or c.text(payload.get("ruleName"), "ruleName")
    if not rule:
        raise PayloadError("ruleId", _("This field is required."))
    name = c.text(payload.get("ruleName"), "ruleName", limit=200) or rule
    labels = c.string_map(payload.get("tags"), "tags")
    matches = c.require_list(payload.get("evalMatches") or [], "evalMatches")
    matched_tags = [c.string_map(match.get("tags") if isinstance(match, dict) else None,
                               f"evalMatches[{i}].tags") for i, match in enumerate(matches)]
    host = labels.get("instance") or next(
        (tags["instance"] for tags in matched_tags if tags.get("instance")), "")
    return [IncomingAlert(
        fingerprint=c.digest("grafana-legacy", rule), status=LEGACY_STATES[state], name=name,
        starts_at=context.now, ends_at=context.now if state == "ok" else None,
        summary=c.text(payload.get("title"), "title"),
        description=c.text(payload.get("message"), "message", limit=5000),
        host=c.host_of(host), severity=labels.get("severity", ""),
        labels={"alertname": name, **labels},
        url=c.text(payload.get("ruleUrl"), "ruleUrl", limit=1000),
    )]
