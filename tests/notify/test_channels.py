"""SMS gateway, group robots and the JSON webhook, against a real HTTP
server on loopback: the exact request bodies and signatures."""

import base64
import hashlib
import hmac
from urllib.parse import parse_qs, urlsplit

from django.db import transaction

from opsdesk.core import outbox
from opsdesk.core.models import NotificationPreference, NotificationTarget

from ..conftest import FROZEN_AT
from .conftest import deliver_all

FROZEN_MS = int(FROZEN_AT.timestamp() * 1000)


def _queue(cast, recipients):
    incident = cast.log()
    with transaction.atomic():
        [row] = outbox.enqueue(incident, event="escalated", recipients=recipients,
                               context={"incident": incident, "reason": "解决时限已用完"})
    return row


def _target(recorder, kind, path, secret="", **fields):
    return NotificationTarget.objects.create(
        name=f"{kind} target", kind=kind, url=recorder.url + path, secret=secret, **fields)


def test_sms_posts_to_the_gateway_with_the_bearer_secret(cast, http_recorder):
    gateway = _target(http_recorder, "sms", "/sms/send", secret="gw-token")
    cast.engineer_chen.phone = "13800000001"
    NotificationPreference.objects.create(user=cast.engineer_chen, channel="sms")
    NotificationPreference.objects.create(user=cast.engineer_chen, channel="email",
                                          enabled=False)
    row = _queue(cast, [cast.engineer_chen])
    assert (row.channel, row.target) == ("sms", gateway)

    assert deliver_all() == 1

    [request] = http_recorder.requests
    assert request.path == "/sms/send"
    assert request.headers["Authorization"] == "Bearer gw-token"
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"
    assert request.json() == {
        "to": "13800000001",
        "text": f"[{row.reference}] 事件已升级：网银系统登录缓慢 {row.link}",
    }
    row.refresh_from_db()
    assert row.status == "delivered"


def test_wecom_gets_a_markdown_message(cast, http_recorder):
    robot = _target(http_recorder, "wecom", "/cgi-bin/webhook/send?key=k-123")
    row = _queue(cast, [robot])

    assert deliver_all() == 1

    [request] = http_recorder.requests
    assert request.path == "/cgi-bin/webhook/send?key=k-123"
    message = request.json()
    assert message["msgtype"] == "markdown"
    content = message["markdown"]["content"]
    assert content.startswith(f"**[{row.reference}] 事件已升级：网银系统登录缓慢**\n\n")
    assert "原因：解决时限已用完" in content
    assert content.endswith(f"[{row.reference}]({row.link})")


def test_dingtalk_signs_the_url_with_timestamp_and_hmac(cast, http_recorder):
    robot = _target(http_recorder, "dingtalk", "/robot/send?access_token=tok",
                    secret="SECabc123")
    row = _queue(cast, [robot])

    assert deliver_all() == 1

    [request] = http_recorder.requests
    url = urlsplit(request.path)
    assert url.path == "/robot/send"
    query = parse_qs(url.query)
    assert query["access_token"] == ["tok"]
    assert query["timestamp"] == [str(FROZEN_MS)]
    expected = base64.b64encode(hmac.new(b"SECabc123", f"{FROZEN_MS}\nSECabc123".encode(),
                                         hashlib.sha256).digest()).decode()
    assert query["sign"] == [expected]
    message = request.json()
    assert message["msgtype"] == "markdown"
    assert message["markdown"]["title"] == f"[{row.reference}] 事件已升级：网银系统登录缓慢"
    assert message["markdown"]["text"].startswith(f"#### [{row.reference}] 事件已升级")


def test_feishu_signs_the_body_with_timestamp_and_hmac(cast, http_recorder):
    http_recorder.reply = {"code": 0, "msg": "success"}
    robot = _target(http_recorder, "feishu", "/open-apis/bot/v2/hook/abc", secret="fs-secret")
    row = _queue(cast, [robot])

    assert deliver_all() == 1

    [request] = http_recorder.requests
    message = request.json()
    timestamp = int(FROZEN_AT.timestamp())
    expected = base64.b64encode(hmac.new(f"{timestamp}\nfs-secret".encode(), b"",
                                         hashlib.sha256).digest()).decode()
    assert (message["timestamp"], message["sign"]) == (str(timestamp), expected)
    assert message["msg_type"] == "text"
    text = message["content"]["text"]
    assert text.startswith(f"[{row.reference}] 事件已升级：网银系统登录缓慢\n\n")
    assert text.endswith(row.link)


def test_an_unsigned_robot_sends_no_signature(cast, http_recorder):
    http_recorder.reply = {"code": 0, "msg": "success"}
    _queue(cast, [_target(http_recorder, "feishu", "/hook")])

    deliver_all()

    assert "sign" not in http_recorder.requests[0].json()


def test_the_json_webhook_carries_an_hmac_of_its_body(cast, http_recorder):
    hook = _target(http_recorder, "webhook", "/opsdesk-events", secret="whsec")
    row = _queue(cast, [hook])

    assert deliver_all() == 1

    [request] = http_recorder.requests
    expected = hmac.new(b"whsec", request.body, hashlib.sha256).hexdigest()
    assert request.headers["X-OpsDesk-Signature"] == f"sha256={expected}"
    assert request.headers["X-OpsDesk-Delivery"] == str(row.pk)
    assert request.headers["X-OpsDesk-Event"] == "escalated"
    assert request.json() == {
        "id": row.pk,
        "event": "escalated",
        "record": {"type": "incident", "id": row.subject_id, "reference": row.reference,
                   "link": row.link},
        "language": "zh-hans",
        "subject": "事件已升级：网银系统登录缓慢",
        "body": row.body,
        "created_at": "2026-11-23T02:00:00+00:00",
    }


def test_a_robot_error_code_is_a_failed_attempt_retried_later(cast, http_recorder):
    http_recorder.reply = {"errcode": 45009, "errmsg": "api freq out of limit"}
    row = _queue(cast, [_target(http_recorder, "wecom", "/send?key=k")])

    assert deliver_all() == 1

    row.refresh_from_db()
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.last_error == "the robot refused the message: 45009 api freq out of limit"
    assert row.next_attempt_at > FROZEN_AT


def test_a_rejected_request_is_dead_at_once_and_a_server_error_is_retried(cast,
                                                                           http_recorder):
    hook = _target(http_recorder, "webhook", "/gone")
    rejected = _queue(cast, [hook])
    http_recorder.status = 404
    deliver_all()
    rejected.refresh_from_db()
    assert (rejected.status, rejected.attempts) == ("dead", 1)
    assert "answered HTTP 404" in rejected.last_error

    http_recorder.status = 503
    unavailable = _queue(cast, [hook])
    deliver_all()
    unavailable.refresh_from_db()
    assert (unavailable.status, unavailable.attempts) == ("pending", 1)
    assert "answered HTTP 503" in unavailable.last_error


def test_a_target_disabled_after_queueing_leaves_a_dead_row(cast, http_recorder):
    hook = _target(http_recorder, "webhook", "/hook")
    row = _queue(cast, [hook])
    hook.enabled = False
    hook.save()

    deliver_all()

    row.refresh_from_db()
    assert (row.status, row.last_error) == (
        "dead", "the notification target “webhook target” is disabled")
    assert http_recorder.requests == []
