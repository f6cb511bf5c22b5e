"""E-mail through Django's SMTP settings, threaded per record.

Every notification has its own stable Message-ID, so a resend after a
crashed worker is recognisable as the same message; every message about one
record refers to the same thread id, so mail clients group them and replies
can be matched to the record.
"""

import secrets
import smtplib
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from opsdesk.core.models import Notification

from .base import DeliveryError, tagged_subject


def mail_domain() -> str:
    if settings.OPSDESK_EMAIL_DOMAIN:
        return settings.OPSDESK_EMAIL_DOMAIN
    _name, sender = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return sender.rpartition("@")[2] or "opsdesk.localhost"


def new_message_id(reference: str) -> str:
    return f"<{reference}.{secrets.token_hex(8)}@{mail_domain()}>"


def thread_id(notification: Notification) -> str:
    return f"<{notification.subject_type}-{notification.reference}@{mail_domain()}>"


def send(notification: Notification) -> None:
    thread = thread_id(notification)
    message = EmailMessage(
        subject=tagged_subject(notification),
        body=notification.body,
        to=[notification.address],
        reply_to=[settings.OPSDESK_EMAIL_REPLY_TO] if settings.OPSDESK_EMAIL_REPLY_TO else None,
        headers={
            "Message-ID": notification.message_id,
            "In-Reply-To": thread,
            "References": thread,
            "Auto-Submitted": "auto-generated",
            # Exchange and Outlook: no out-of-office replies to a robot.
            "X-Auto-Response-Suppress": "All",
        },
        connection=get_connection(fail_silently=False),
    )
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as refused:
        codes = [code for code, _reply in refused.recipients.values()]
        raise DeliveryError(f"the mail server refused {notification.address}: {refused}",
                            permanent=all(code >= 500 for code in codes)) from None
    except smtplib.SMTPResponseException as error:
        raise DeliveryError(f"the mail server answered {error.smtp_code} {error.smtp_error!r}",
                            permanent=error.smtp_code >= 500) from None
    except (smtplib.SMTPException, OSError) as error:
        raise DeliveryError(f"cannot send mail via {settings.EMAIL_HOST}:{settings.EMAIL_PORT}: "
                            f"{error}") from None
