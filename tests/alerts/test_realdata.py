"""Acceptance: every real-world payload of the kinds we accept parses
(shared/realdata/alerts, outside the repository; skipped where absent)."""

import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from opsdesk.alerts.formats import Context, parse

REALDATA = Path(__file__).resolve().parents[3] / "shared" / "realdata" / "alerts"
KINDS = {"prometheus_alertmanager": "alertmanager", "grafana": "grafana", "zabbix": "zabbix"}
CONTEXT = Context(now=datetime(2026, 11, 23, 2, 0, tzinfo=UTC), zone=ZoneInfo("Asia/Shanghai"))


def payloads():
    if not REALDATA.is_dir():
        return []
    return [pytest.param(KINDS[path.parent.name], path, id=f"{path.parent.name}/{path.name}")
            for path in sorted(REALDATA.glob("*/*.json")) if path.parent.name in KINDS]


@pytest.mark.skipif(not REALDATA.is_dir(), reason="../shared/realdata/alerts is not here")
@pytest.mark.parametrize(("kind", "path"), payloads())
def test_every_real_payload_parses(kind, path):
    alerts = parse(kind, json.loads(path.read_text()), CONTEXT)
    for alert in alerts:
        assert alert.fingerprint and alert.name
        assert alert.status in ("firing", "resolved")
        assert (alert.ends_at is None) == (alert.status == "firing")
