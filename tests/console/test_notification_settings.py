"""The notification settings page of the console."""

import pytest

from opsdesk.core.models import NotificationChannel, NotificationTarget
from opsdesk.core.preferences import channel_settings

pytestmark = pytest.mark.django_db


def test_the_settings_page_saves_and_shows_errors(cast, as_user):
    robot = NotificationTarget.objects.create(
        name="二线值班群", kind=NotificationChannel.WECOM,
        url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=test")
    client = as_user(cast.engineer_chen)
    page = client.get("/me/notifications/")
    assert page.status_code == 200 and "二线值班群" in page.content.decode()
    refused = client.post("/me/notifications/", {"email_enabled": "on", "wecom_enabled": "on"})
    assert refused.status_code == 422
    assert "Choose which group robot or webhook to use." in refused.content.decode()
    saved = client.post("/me/notifications/", {"wecom_enabled": "on", "wecom_target": robot.pk,
                                               "phone": "13800000000"}, follow=True)
    assert "Your notification settings are saved." in saved.content.decode()
    current = {row.channel: (row.enabled, row.target) for row in
               channel_settings(cast.engineer_chen)}
    assert current["email"] == (False, None) and current["wecom"] == (True, robot)
    cast.engineer_chen.refresh_from_db()
    assert cast.engineer_chen.phone == "13800000000"


def test_the_page_needs_a_login(client):
    assert client.get("/me/notifications/").status_code == 302
