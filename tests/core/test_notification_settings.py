"""A user chooses their notification channels (INC-18) in the console."""

import pytest
from django.db import transaction
from django.utils import translation

from opsdesk.core import outbox
from opsdesk.core.errors import Forbidden, Invalid
from opsdesk.core.models import (
    Notification,
    NotificationChannel,
    NotificationPreference,
    NotificationTarget,
)
from opsdesk.core.preferences import ChannelSetting, channel_settings, set_channel_settings

pytestmark = pytest.mark.django_db


@pytest.fixture
def robot(cast):
    return NotificationTarget.objects.create(
        name="二线值班群", kind=NotificationChannel.WECOM,
        url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=test")


def wanted(**switches):
    return [ChannelSetting(channel, switches.get(channel, (False, None))[0],
                           switches.get(channel, (False, None))[1])
            for channel in NotificationChannel.values]


def test_without_choices_email_is_on_and_the_rest_off(cast):
    current = {row.channel: row.enabled for row in channel_settings(cast.engineer_chen)}
    assert current == {"email": True, "sms": False, "wecom": False, "dingtalk": False,
                       "feishu": False, "webhook": False}


def test_choosing_a_robot_routes_notifications_there(cast, robot):
    set_channel_settings(cast.engineer_chen, actor=cast.engineer_chen,
                         wanted=wanted(email=(False, None), wecom=(True, robot)))
    incident = cast.log()
    with transaction.atomic():
        outbox.enqueue(incident, event="assigned", recipients=[cast.engineer_chen],
                       context={"incident": incident})
    sent = Notification.objects.filter(recipient=cast.engineer_chen)
    assert [(row.channel, row.target) for row in sent] == [("wecom", robot)]


def test_sms_needs_a_phone_number_and_a_gateway(cast):
    with translation.override("en"), pytest.raises(Invalid) as refused:
        set_channel_settings(cast.engineer_chen, actor=cast.engineer_chen,
                             wanted=wanted(email=(True, None), sms=(True, None)))
    assert refused.value.fields == {"sms": "Enter a mobile number to receive SMS."}
    with translation.override("en"), pytest.raises(Invalid) as refused:
        set_channel_settings(cast.engineer_chen, actor=cast.engineer_chen, phone="13800000000",
                             wanted=wanted(email=(True, None), sms=(True, None)))
    assert refused.value.fields == {"sms": "No SMS gateway is configured yet."}
    cast.engineer_chen.refresh_from_db()
    assert cast.engineer_chen.phone == "" and not NotificationPreference.objects.exists()


def test_a_robot_channel_needs_one_of_the_configured_targets(cast, robot):
    other_kind = NotificationTarget.objects.create(
        name="短信网关", kind=NotificationChannel.SMS, url="https://sms.example.com/send")
    with translation.override("en"), pytest.raises(Invalid) as refused:
        set_channel_settings(cast.engineer_chen, actor=cast.engineer_chen,
                             wanted=wanted(email=(True, None), wecom=(True, None),
                                           dingtalk=(True, other_kind)))
    assert refused.value.fields == {
        "wecom": "Choose which group robot or webhook to use.",
        "dingtalk": "Choose one of the configured targets for this channel.",
    }


def test_staff_keep_at_least_one_channel_but_requesters_may_opt_out(cast):
    with pytest.raises(Invalid):
        set_channel_settings(cast.engineer_chen, actor=cast.engineer_chen, wanted=wanted())
    set_channel_settings(cast.requester_zhao, actor=cast.requester_zhao, wanted=wanted())
    assert [row.enabled for row in channel_settings(cast.requester_zhao)] == [False] * 6


def test_only_the_user_or_an_administrator_changes_them(cast):
    with pytest.raises(Forbidden):
        set_channel_settings(cast.engineer_chen, actor=cast.agent_li,
                             wanted=wanted(email=(True, None)))
    cast.agent_li.is_staff = True
    set_channel_settings(cast.engineer_chen, actor=cast.agent_li,
                         wanted=wanted(email=(True, None)))
    assert NotificationPreference.objects.filter(user=cast.engineer_chen).count() == 6
