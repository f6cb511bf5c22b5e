"""What every format parser returns, and the checks they share. Parsers are
pure: a decoded JSON payload in, a list of IncomingAlert out, or a
PayloadError naming the offending field."""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from django.utils.translation import gettext_lazy as _

FIRING, RESOLVED = "firing", "resolved"
# Alertmanager and Grafana send Go's zero time for "no end yet".
GO_ZERO_YEAR = 1


class PayloadError(Exception):
    def __init__(self, field_name: str, message):
        self.field_name, self.message = field_name, message
        super().__init__(f"{field_name}: {message}")


@dataclass(frozen=True)
class Context:
    """What a pure parser needs from outside: the receipt time (for alerts
    without a start or end) and the zone of naive local timestamps."""

    now: datetime
    zone: tzinfo


@dataclass(frozen=True)
class IncomingAlert:
    fingerprint: str
    status: str
    name: str
    starts_at: datetime
    ends_at: datetime | None = None
    summary: str = ""
    description: str = ""
    host: str = ""
    severity: str = ""
    labels: dict = field(default_factory=dict)
    annotations: dict = field(default_factory=dict)
    url: str = ""
    # The sender's own grouping (Alertmanager groupKey) and how to show it.
    group: str = ""
    group_label: str = ""


def digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def require_object(value, field_name: str) -> dict:
    if not isinstance(value, dict):
        raise PayloadError(field_name, _("Must be a JSON object."))
    return value


def require_list(value, field_name: str) -> list:
    if not isinstance(value, list):
        raise PayloadError(field_name, _("Must be a JSON list."))
    return value


def text(value, field_name: str, *, required: bool = False, limit: int = 500) -> str:
    if value is None:
        value = ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise PayloadError(field_name, _("Must be text."))
    result = str(value).strip()
    if required and not result:
        raise PayloadError(field_name, _("This field is required."))
    return result[:limit]


def string_map(value, field_name: str) -> dict[str, str]:
    """Labels, tags or annotations: an object of scalars, kept as text."""
    if value is None:
        return {}
    result = {}
    for key, item in require_object(value, field_name).items():
        if isinstance(item, dict | list):
            item = json.dumps(item, ensure_ascii=False, sort_keys=True)
        result[str(key)] = "" if item is None else str(item)
    return result


def timestamp(value, field_name: str, context: Context) -> datetime | None:
    """RFC 3339 (zone required unless naive local time is meant), Zabbix's
    "2026.11.23 10:00:00" in the local zone, or Unix seconds; None for empty
    or Go's zero time."""
    if value in (None, ""):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, context.zone)
    if not isinstance(value, str):
        raise PayloadError(field_name, _("Must be a date and time."))
    try:
        moment = datetime.fromisoformat(value.strip().replace(".", "-", 2)
                                        if _zabbix_style(value) else value.strip())
    except ValueError:
        raise PayloadError(
            field_name, _("Must be a date and time, e.g. 2026-11-23T09:30:00+08:00.")
        ) from None
    if moment.year == GO_ZERO_YEAR:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=context.zone)
    return moment


def _zabbix_style(value: str) -> bool:
    return len(value) >= 10 and value[4] == "." and value[7] == "."


def host_of(instance: str) -> str:
    """A Prometheus instance is host:port; the host names the machine."""
    host, colon, port = instance.rpartition(":")
    bare_ipv6 = ":" in host and not host.endswith("]")
    return host if colon and port.isdigit() and not bare_ipv6 else instance
