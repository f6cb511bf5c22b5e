"""The incident page lists the alerts behind a monitoring incident."""

import re
from datetime import timedelta

from django.conf import settings

from opsdesk.alerts.models import Alert

from .conftest import am_alert, am_group, only_incident


def page(client, user, incident) -> str:
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(incident.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_the_incident_page_shows_its_alerts_with_count_last_seen_and_status(
        make_source, cast, client, frozen):
    monitoring = make_source(storm_threshold=2)
    monitoring.deliver(am_group(am_alert("NodeDown"), am_alert("DiskFull")))
    frozen.shift(timedelta(minutes=5))
    monitoring.deliver(am_group(am_alert("NodeDown", starts="2026-11-23T02:04:00Z"),
                                am_alert("DiskFull", status="resolved")))
    html = page(client, cast.agent_li, only_incident())
    section = html[html.index('data-testid="alerts"'):]
    assert "2 alerts · 1 firing" in section
    rows = re.findall(r'<tr data-testid="alert" data-status="(\w+)">(.*?)</tr>', section, re.S)
    assert [status for status, _row in rows] == ["firing", "resolved"]
    firing = rows[0][1]
    assert "NodeDown" in firing and "vm-web-01" in firing
    assert '<td data-testid="alert-occurrences">2</td>' in firing
    assert "2026-11-23 10:05:00" in firing  # last seen, Shanghai time
    assert 'href="http://prometheus.example.cn:9090/graph?g0.expr=up"' in firing


def test_an_incident_without_alerts_shows_no_alert_section(cast, client):
    html = page(client, cast.agent_li, cast.log())
    assert 'data-testid="alerts"' not in html


def test_a_link_that_is_not_a_web_address_is_not_made_a_link(prometheus, cast, client):
    alert = am_alert("NodeDown")
    alert["generatorURL"] = "javascript:alert(1)"
    prometheus.deliver(am_group(alert))
    assert Alert.objects.get().url == "javascript:alert(1)"
    html = page(client, cast.agent_li, only_incident())
    assert "href=\"javascript:" not in html
