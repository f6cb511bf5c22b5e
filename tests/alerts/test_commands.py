"""`opsdesk alert-source` and `opsdesk maintenance` through the real executable."""

import re

from django.test import Client

from opsdesk.alerts.models import AlertSource, MaintenanceWindow
from opsdesk.core.choices import Tier
from opsdesk.core.models import Category, ConfigurationItem, Team
from opsdesk.incidents.models import Incident

from ..cli.conftest import opsdesk
from .conftest import am_alert, am_group


def test_create_prints_the_url_path_and_a_token_that_works(shared_db):
    team = Team.objects.create(name="二线系统组", tier=Tier.L2)
    category = Category.objects.create(name="主机告警")
    ConfigurationItem.objects.create(name="vm-web-01", ci_type="virtual_machine")

    created = opsdesk("alert-source", "create", "prometheus", "--kind", "alertmanager",
                      "--team", "二线系统组", "--category", "主机告警", env=shared_db)

    assert created.returncode == 0, created.stderr
    lines = created.stdout.splitlines()
    assert lines[0] == "Created alert source prometheus (Prometheus Alertmanager)."
    assert lines[1] == "URL path: /api/v1/alerts/prometheus"
    token = re.fullmatch(r"Token \(shown only this once\): (oda_\S+)", lines[2]).group(1)
    source = AlertSource.objects.get()
    assert (source.default_team, source.default_category) == (team, category)
    assert token not in (source.digest, source.prefix)
    response = Client().post("/api/v1/alerts/prometheus", am_group(am_alert()),
                             content_type="application/json",
                             HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content
    assert Incident.objects.get().team == team

    listed = opsdesk("alert-source", "list", env=shared_db)
    assert listed.returncode == 0
    assert listed.stdout.split("\t")[:4] == ["prometheus", "alertmanager",
                                             "/api/v1/alerts/prometheus", source.prefix + "…"]


def test_create_refuses_bad_input_with_one_clear_line(shared_db):
    assert opsdesk("alert-source", "create", "zbx", "--kind", "zabbix",
                   env=shared_db).returncode == 0
    cases = [
        (["zbx", "--kind", "zabbix"], "An alert source named “zbx” already exists."),
        (["nagios", "--kind", "nagios"], "Choose one of: alertmanager, grafana, zabbix, "
                                         "generic."),
        (["Bad Name!", "--kind", "generic"], "Use 1-60 lower-case letters"),
        (["other", "--kind", "generic", "--team", "没有的组"], "Unknown team “没有的组”."),
    ]
    for arguments, message in cases:
        result = opsdesk("alert-source", "create", *arguments, env=shared_db)
        assert result.returncode == 1
        assert result.stderr.startswith("opsdesk: ") and message in result.stderr
    assert AlertSource.objects.count() == 1


def test_maintenance_add_and_list(shared_db):
    ci = ConfigurationItem.objects.create(name="vm-web-01", ci_type="virtual_machine")
    added = opsdesk("maintenance", "add", "--ci", "vm-web-01", "--from", "2030-01-05T22:00",
                    "--to", "2030-01-06T02:00", "--reason", "CHG-1 扩容", env=shared_db)
    assert added.returncode == 0, added.stderr
    window = MaintenanceWindow.objects.get()
    assert (window.ci, window.reason) == (ci, "CHG-1 扩容")
    assert window.starts_at.isoformat() == "2030-01-05T14:00:00+00:00"  # Shanghai time given
    listed = opsdesk("maintenance", "list", env=shared_db).stdout
    assert "vm-web-01\t2030-01-05 22:00\t2030-01-06 02:00\tCHG-1 扩容" in listed

    backwards = opsdesk("maintenance", "add", "--ci", "vm-web-01", "--from", "2030-01-06",
                        "--to", "2030-01-05", "--reason", "x", env=shared_db)
    assert backwards.returncode == 1 and "The end must be after the start." in backwards.stderr
    unknown = opsdesk("maintenance", "add", "--ci", "nope", "--from", "2030-01-05",
                      "--to", "2030-01-06", "--reason", "x", env=shared_db)
    assert unknown.returncode == 1 and "“nope”" in unknown.stderr
    assert MaintenanceWindow.objects.count() == 1
