"""Feishu (飞书) custom robot: a text message; with a signing secret,
`timestamp` (s) and `sign` = base64(HMAC-SHA256(key="timestamp\\nsecret", b""))
go into the body."""

import base64
import hashlib
import hmac

from opsdesk.core import clock
from opsdesk.core.models import Notification

from .base import check_robot_reply, encode, plain_text, post_json, usable_target


def signature(timestamp: int, secret: str) -> str:
    digest = hmac.new(f"{timestamp}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def send(notification: Notification) -> None:
    robot = usable_target(notification)
    text = plain_text(notification)
    if notification.link:
        text += f"\n{notification.link}"
    payload: dict = {"msg_type": "text", "content": {"text": text}}
    if robot.secret:
        timestamp = int(clock.now().timestamp())
        payload = {"timestamp": str(timestamp), "sign": signature(timestamp, robot.secret),
                   **payload}
    check_robot_reply(post_json(robot.url, encode(payload)), "code", "msg")
