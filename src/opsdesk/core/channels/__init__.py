"""Delivery of one outbox row over its channel.

Each module sends one kind and raises DeliveryError when the message did not
get through; the outbox records the attempt and decides about retries.
"""

from opsdesk.core.models import Notification, NotificationChannel

from . import dingtalk, email, feishu, sms, webhook, wecom
from .base import DeliveryError

SENDERS = {
    NotificationChannel.EMAIL: email.send,
    NotificationChannel.SMS: sms.send,
    NotificationChannel.WECOM: wecom.send,
    NotificationChannel.DINGTALK: dingtalk.send,
    NotificationChannel.FEISHU: feishu.send,
    NotificationChannel.WEBHOOK: webhook.send,
}

__all__ = ["SENDERS", "DeliveryError", "send"]


def send(notification: Notification) -> None:
    SENDERS[notification.channel](notification)
