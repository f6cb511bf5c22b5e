"""A real Prometheus Alertmanager posting to a live `opsdesk serve`: an alert
added with amtool opens an incident; ending it closes the incident."""

import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from opsdesk.alerts import actions
from opsdesk.core.choices import Tier
from opsdesk.core.models import Category, ConfigurationItem, Team
from opsdesk.incidents.models import Incident

from ..cli.conftest import OPSDESK
from ..notify.conftest import free_port

ALERTMANAGER = Path("/usr/bin/prometheus-alertmanager")
AMTOOL = Path("/usr/bin/amtool")

pytestmark = pytest.mark.skipif(
    not (ALERTMANAGER.exists() and AMTOOL.exists()),
    reason="needs Debian's prometheus-alertmanager (with amtool)",
)

CONFIG = """\
route:
  receiver: opsdesk
  group_by: [alertname, instance]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: opsdesk
    webhook_configs:
      - url: http://127.0.0.1:{port}/api/v1/alerts/prometheus
        send_resolved: true
        http_config:
          authorization:
            type: Bearer
            credentials: {token}
"""


def wait_for(check, what: str, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def opsdesk_server(shared_db, tmp_path):
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen([str(OPSDESK), "serve", "--port", str(port)], env=shared_db,
                              stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: "running at" in (tmp_path / "serve.log").read_text(), "opsdesk serve",
                 seconds=300)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@pytest.fixture
def alertmanager(opsdesk_server, tmp_path):
    team = Team.objects.create(name="二线系统组", tier=Tier.L2)
    category = Category.objects.create(name="主机告警")
    ConfigurationItem.objects.create(name="db1.example.cn", ci_type="server")
    _source, token = actions.create_source(name="prometheus", kind="alertmanager", team=team,
                                           category=category)
    config = tmp_path / "alertmanager.yml"
    config.write_text(CONFIG.format(port=opsdesk_server, token=token))
    port = free_port()
    log = (tmp_path / "alertmanager.log").open("w")
    process = subprocess.Popen(
        [str(ALERTMANAGER), f"--config.file={config}", f"--storage.path={tmp_path / 'am'}",
         f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address="],
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: subprocess.run([str(AMTOOL), "config", "show",
                                         f"--alertmanager.url={url}"],
                                        capture_output=True).returncode == 0, "alertmanager")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def amtool_alert(url: str, *extra: str) -> None:
    subprocess.run([str(AMTOOL), "alert", "add", "alertname=DiskFull",
                    "instance=db1.example.cn", "severity=critical",
                    "--annotation=summary=数据盘使用率 97%", f"--alertmanager.url={url}",
                    *extra], check=True, capture_output=True, timeout=30)


def test_alertmanager_opens_then_closes_an_incident(alertmanager):
    amtool_alert(alertmanager)
    incident = wait_for(lambda: Incident.objects.filter(channel="monitoring").first(),
                        "the incident")
    assert (incident.title, incident.ci.name) == ("数据盘使用率 97% (db1.example.cn)",
                                                   "db1.example.cn")
    assert incident.alerts.get().status == "firing"

    ended = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    amtool_alert(alertmanager, f"--end={ended}")
    closed = wait_for(lambda: Incident.objects.filter(pk=incident.pk, status="closed").first(),
                      "the incident to close")
    assert closed.closure_code == "successful"
    assert closed.business_recovered_at is not None
    assert Incident.objects.count() == 1
