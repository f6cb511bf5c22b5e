"""One parser per kind of alert source; each turns a decoded JSON payload
into IncomingAlerts (see common.py)."""

from . import alertmanager, generic, grafana, zabbix
from .common import FIRING, RESOLVED, Context, IncomingAlert, PayloadError

PARSERS = {
    "alertmanager": alertmanager.parse,
    "grafana": grafana.parse,
    "zabbix": zabbix.parse,
    "generic": generic.parse,
}


def parse(kind: str, payload, context: Context) -> list[IncomingAlert]:
    return PARSERS[kind](payload, context)


__all__ = ["FIRING", "RESOLVED", "Context", "IncomingAlert", "PayloadError", "parse"]
