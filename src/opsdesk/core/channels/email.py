"""E-mail through Django's SMTP settings, threaded per record.

Every notification has its own stable Message-ID, so a resend after a
crashed worker is recognisable as the same message; every message about one
record refers to the same thread id, so mail clients group them and replies
can be matched to the record. Replies go to the mailbox the record came in
through (else OPSDESK_EMAIL_REPLY_TO); an address our mail bounced from
(opsdesk.mail) is not written to again until it is cleared.

A notification's files go as MIME attachments; Django names a file that is
not plain ASCII (a Chinese name) with RFC 2231 (filename*=utf-8''…), which
mail clients decode.
"""

import functools
import secrets
import smtplib
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from opsdesk.core.models import Notification

from .base import DeliveryError, tagged_subject


def mail_domain() -> str:
    return _domain(settings.OPSDESK_EMAIL_DOMAIN, settings.DEFAULT_FROM_EMAIL)


# Parsing the sender cost more than the rest of a Message-ID, and the SLA
# sweep makes hundreds at once.
@functools.lru_cache(maxsize=8)
def _domain(configured: str, sender: str) -> str:
    if configured:
        return configured
    _name, address = parseaddr(sender)
    return address.rpartition("@")[2] or "opsdesk.localhost"


def new_message_id(reference: str) -> str:
    return f"<{reference}.{secrets.token_hex(8)}@{mail_domain()}>"


def thread_id(notification: Notification) -> str:
    return f"<{notification.subject_type}-{notification.reference}@{mail_domain()}>"


def reply_to(notification: Notification) -> str:
    # Imported here: core is loaded before the mail app it serves.
    from opsdesk.mail.models import InboundMessage, Outcome

    if notification.subject_type == "incident":
        mailbox_address = InboundMessage.objects.filter(
            incident_id=notification.subject_id, outcome=Outcome.CREATED,
        ).values_list("mailbox__address", flat=True).first()
        if mailbox_address:
            return mailbox_address
    return settings.OPSDESK_EMAIL_REPLY_TO


def refuse_failing_address(notification: Notification) -> None:
    from opsdesk.mail.models import FailingAddress

    failing = FailingAddress.objects.filter(address=notification.address.lower()).first()
    if failing is not None:
        raise DeliveryError(
            f"mail to {notification.address} bounced on {failing.last_bounce_at:%Y-%m-%d %H:%M} "
            f"UTC ({failing.reason or 'no reason given'}); delete it under Failing addresses "
            "in the admin to send again", permanent=True)


def send(notification: Notification) -> None:
    refuse_failing_address(notification)
    thread = thread_id(notification)
    answer_to = reply_to(notification)
    message = EmailMessage(
        subject=tagged_subject(notification),
        body=notification.body,
        to=[notification.address],
        reply_to=[answer_to] if answer_to else None,
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
    for file in notification.attachments.all():
        message.attach(file.name, bytes(file.content), file.content_type)
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
