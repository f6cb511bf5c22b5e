"""A generic JSON webhook. The body is signed with the target's secret:
X-OpsDesk-Signature: sha256=<hex HMAC-SHA256 of the raw body>. The
X-OpsDesk-Delivery id stays the same when a delivery is retried, so a
receiver can drop duplicates."""

import hashlib
import hmac

from opsdesk.core.models import Notification

from .base import encode, post_json, usable_target


def signature(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def payload(notification: Notification) -> dict:
    return {
        "id": notification.pk,
        "event": notification.event,
        "record": {"type": notification.subject_type, "id": notification.subject_id,
                   "reference": notification.reference, "link": notification.link},
        "language": notification.language,
        "subject": notification.subject,
        "body": notification.body,
        "created_at": notification.created_at.isoformat(),
    }


def send(notification: Notification) -> None:
    target = usable_target(notification)
    body = encode(payload(notification))
    headers = {"X-OpsDesk-Event": notification.event,
               "X-OpsDesk-Delivery": str(notification.pk)}
    if target.secret:
        headers["X-OpsDesk-Signature"] = signature(body, target.secret)
    post_json(target.url, body, headers)
