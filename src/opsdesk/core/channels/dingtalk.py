"""DingTalk (钉钉) custom robot: a markdown message; with a signing secret,
`timestamp` (ms) and `sign` = base64(HMAC-SHA256(secret, "timestamp\\nsecret"))
go into the query string."""

import base64
import hashlib
import hmac
from urllib.parse import quote_plus

from opsdesk.core import clock
from opsdesk.core.models import Notification

from .base import check_robot_reply, encode, post_json, tagged_subject, usable_target


def signature(timestamp_ms: int, secret: str) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(),
                      hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def signed_url(url: str, secret: str) -> str:
    if not secret:
        return url
    timestamp_ms = int(clock.now().timestamp() * 1000)
    separator = "&" if "?" in url else "?"
    return (f"{url}{separator}timestamp={timestamp_ms}"
            f"&sign={quote_plus(signature(timestamp_ms, secret))}")


def send(notification: Notification) -> None:
    robot = usable_target(notification)
    text = f"#### {tagged_subject(notification)}\n\n{notification.body}"
    if notification.link:
        text += f"\n\n[{notification.reference}]({notification.link})"
    payload = {"msgtype": "markdown",
               "markdown": {"title": tagged_subject(notification), "text": text}}
    reply = post_json(signed_url(robot.url, robot.secret), encode(payload))
    check_robot_reply(reply, "errcode", "errmsg")
