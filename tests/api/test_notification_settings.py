"""GET/PUT /api/v1/me/notification-settings: a user's own channels."""

from opsdesk.core.models import NotificationChannel, NotificationTarget

from .conftest import Api


def test_read_and_choose_channels(cast):
    NotificationTarget.objects.create(name="二线值班群", kind=NotificationChannel.DINGTALK,
                                      url="https://oapi.dingtalk.com/robot/send?access_token=t")
    api = Api(cast.engineer_chen, language="en")
    current = api.get("/me/notification-settings").json()
    assert current["channels"][0] == {"channel": "email", "enabled": True, "target": None}
    changed = api.request("put", "/me/notification-settings", {
        "channels": [{"channel": "dingtalk", "enabled": True, "target": "二线值班群"}],
    })
    assert changed.status_code == 200
    enabled = [row for row in changed.json()["channels"] if row["enabled"]]
    assert enabled == [{"channel": "dingtalk", "enabled": True, "target": "二线值班群"}]


def test_unknown_targets_and_channels_are_refused_and_change_nothing(cast):
    api = Api(cast.engineer_chen, language="en")
    refused = api.request("put", "/me/notification-settings", {
        "channels": [{"channel": "email", "enabled": False},
                     {"channel": "wecom", "enabled": True, "target": "http://evil.example"},
                     {"channel": "pigeon", "enabled": True}],
    })
    assert refused.status_code == 422
    assert refused.json()["fields"] == {"wecom": "No such notification target.",
                                        "pigeon": "Unknown channel."}
    assert api.get("/me/notification-settings").json()["channels"][0]["enabled"] is True


def test_staff_cannot_switch_every_channel_off(cast):
    refused = Api(cast.engineer_chen, language="en").request(
        "put", "/me/notification-settings", {"channels": []})
    assert refused.status_code == 422
    assert "at least one channel" in refused.json()["message"]


def test_needs_authentication(cast):
    assert Api().get("/me/notification-settings").status_code == 401
