"""SMS through the HTTP gateway an administrator configured: POST
{"to": phone, "text": message} with the target's secret as bearer token."""

from opsdesk.core.models import Notification

from .base import DeliveryError, encode, post_json, tagged_subject, usable_target


def send(notification: Notification) -> None:
    gateway = usable_target(notification)
    if not notification.address:
        raise DeliveryError("no phone number to send the SMS to", permanent=True)
    text = f"{tagged_subject(notification)} {notification.link}".strip()
    headers = {"Authorization": f"Bearer {gateway.secret}"} if gateway.secret else {}
    post_json(gateway.url, encode({"to": notification.address, "text": text}), headers)
