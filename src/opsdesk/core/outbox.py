"""The notification outbox (DESIGN principle 5: nothing lost, nothing silent).

An action calls `enqueue()` inside its own transaction: the rows commit or
roll back with the change they announce. The worker's `DeliverNotifications`
handler then sends them one at a time, at least once: it takes a due row
under a lease, sends, and records every attempt. A worker that dies mid-send
leaves the row "sending" until the lease ends, then another worker sends it
again (with the same Message-ID, so the duplicate is recognisable). Failed
sends are retried with exponential backoff; when the tries are used up the
row is dead, counted by `opsdesk check` and revived from the admin.

Messages are rendered when queued, in each recipient's language, from
templates/notifications/<language>/<template>.subject.txt and .body.txt
(plain text, no autoescaping; one file per language, so translators see a
whole message). The templates get the caller's context plus `reference`
(the record's number) and `link` (its absolute URL).

A message may carry files (`attachments`), for its e-mail recipients only:
SMS, robots and webhooks get the text and the link. The bytes are copied
into NotificationFile rows in the caller's transaction, once per message
and shared by its e-mail rows, rather than pointing at the record they came
from: a queued mail then needs nothing but the outbox to be sent, however
the source changes before delivery, and core knows nothing of the apps that
attach. Files over OPSDESK_MAIL_ATTACHMENT_MAX_BYTES in total are not
stored; the templates see which files are attached (`attached_files`) or were
left out as too large (`files_too_large`) and say so, with the links.
"""

import functools
import logging
import os
import random
import socket
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Min
from django.template import Context, Engine
from django.utils import translation
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from . import bulk_rows, clock
from .channels import DeliveryError, email
from .channels import send as send_over_channel
from .claims import claim
from .health import Reading
from .models import (
    DeliveryAttempt,
    DeliveryOutcome,
    DeliveryStatus,
    Notification,
    NotificationChannel,
    NotificationFile,
    NotificationPreference,
    NotificationTarget,
    User,
)

log = logging.getLogger("opsdesk.outbox")

UNDELIVERED = (DeliveryStatus.PENDING, DeliveryStatus.SENDING)
FIRST_RETRY_SECONDS = 30
LONGEST_RETRY_SECONDS = 3600

Recipient = User | NotificationTarget | str


@dataclass(frozen=True)
class Destination:
    channel: str
    address: str
    target: NotificationTarget | None
    user: User | None
    language: str

    @property
    def key(self) -> tuple:
        return self.channel, self.address, self.target.pk if self.target else None


@dataclass(frozen=True)
class Attachment:
    """A file to mail with a message."""
    name: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class Message:
    """One event about one record for its recipients: what `enqueue` queues."""
    subject: Any
    event: str
    recipients: Iterable[Recipient]
    context: dict
    template: str | None = None
    attachments: Sequence[Attachment] = ()

    @property
    def attachments_fit(self) -> bool:
        size = sum(len(attachment.content) for attachment in self.attachments)
        return size <= settings.OPSDESK_MAIL_ATTACHMENT_MAX_BYTES


def enqueue(subject, *, event: str, recipients: Iterable[Recipient], context: dict,
            template: str | None = None, actor: User | None = None,
            language: str | None = None,
            attachments: Sequence[Attachment] = ()) -> list[Notification]:
    """Queue `event` about `subject` (a record with TIMELINE_TYPE) for each
    recipient, in the caller's transaction.

    A recipient is a user (a row per channel they enabled: e-mail unless they
    turned it off, SMS and robots where they chose them), an administrator's
    NotificationTarget (a group robot, a webhook, a mailbox), or an e-mail
    address. The actor is not told about their own action; a recipient
    reachable on no channel is logged. `language` is for bare addresses
    (default: the site's). `attachments` go to the e-mail recipients.
    """
    return enqueue_many([Message(subject, event, recipients, context, template, attachments)],
                        actor=actor, language=language)


def enqueue_many(messages: Iterable[Message], *, actor: User | None = None,
                 language: str | None = None) -> list[Notification]:
    """`enqueue` for many messages with one INSERT: each recipient's channels
    are looked up once, each message rendered once per language."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("enqueue() must run inside the transaction of the change it announces")
    messages = [replace(message, recipients=list(message.recipients)) for message in messages]
    reachable = _reachable([recipient for message in messages for recipient in message.recipients],
                           actor, language or settings.LANGUAGE_CODE)
    now = clock.now()
    rows, mailed_files = [], []
    for message in messages:
        keys = sorted(dict.fromkeys(map(_recipient_key, message.recipients)),
                      key=lambda key: RECIPIENT_ORDER.index(key[0]))
        message_rows = list(_rows(message, [d for key in keys for d in reachable[key]], now))
        rows.extend(message_rows)
        mails = [row for row in message_rows if row.channel == NotificationChannel.EMAIL]
        if mails and message.attachments:
            mailed_files.append((message, mails))
    created = bulk_rows.create(rows)
    for message, mails in mailed_files:
        _attach(message, mails)
    return created


def _attach(message: Message, mails: list[Notification]) -> None:
    if not message.attachments_fit:
        log.warning("not attaching %s to the %s mail about %s: more than "
                    "OPSDESK_MAIL_ATTACHMENT_MAX_BYTES (%d) in all; the mail gives links",
                    ", ".join(attachment.name for attachment in message.attachments),
                    message.event, mails[0].reference,
                    settings.OPSDESK_MAIL_ATTACHMENT_MAX_BYTES)
        return
    files = NotificationFile.objects.bulk_create(
        NotificationFile(name=attachment.name, content_type=attachment.content_type,
                         size=len(attachment.content), content=attachment.content)
        for attachment in message.attachments)
    Notification.attachments.through.objects.bulk_create(
        Notification.attachments.through(notification=mail, notificationfile=file)
        for mail in mails for file in files)


def _rows(message: Message, destinations: list[Destination], now) -> Iterator[Notification]:
    subject = message.subject
    reference = reference_of(subject)
    context = {**message.context, "reference": reference, "link": link_to(subject),
               "attached_files": [], "files_too_large": []}
    names = [attachment.name for attachment in message.attachments]
    mail_context = {**context, **({"attached_files": names} if message.attachments_fit
                                  else {"files_too_large": names})}
    rendered: dict[tuple[str, bool], tuple[str, str]] = {}
    seen = set()
    for destination in destinations:
        if destination.key in seen:
            continue
        seen.add(destination.key)
        with_files = bool(names) and destination.channel == NotificationChannel.EMAIL
        version = destination.language, with_files
        if version not in rendered:
            rendered[version] = render(message.template or message.event, destination.language,
                                       mail_context if with_files else context)
        title, body = rendered[version]
        yield Notification(
            created_at=now, next_attempt_at=now,
            subject_type=subject.TIMELINE_TYPE, subject_id=subject.pk, reference=reference,
            event=message.event, recipient=destination.user, address=destination.address,
            channel=destination.channel, target=destination.target,
            language=destination.language, subject=title, body=body, link=context["link"],
            message_id=(email.new_message_id(reference)
                        if destination.channel == NotificationChannel.EMAIL else ""),
        )


def reference_of(subject) -> str:
    """The tag people know the record by: its number, else type-id."""
    return getattr(subject, "number", None) or f"{subject.TIMELINE_TYPE}-{subject.pk}"


def link_to(subject) -> str:
    if not hasattr(subject, "get_absolute_url"):
        return ""
    return settings.OPSDESK_BASE_URL + subject.get_absolute_url()


# Users are told first, then targets, then bare addresses.
RECIPIENT_ORDER = ("user", "target", "address")


def _recipient_key(recipient: Recipient) -> tuple:
    if isinstance(recipient, User):
        return "user", recipient.pk
    if isinstance(recipient, NotificationTarget):
        return "target", recipient.pk
    if isinstance(recipient, str):
        return "address", recipient
    raise TypeError(f"cannot notify {recipient!r}")


def _reachable(recipients: list[Recipient], actor: User | None,
               address_language: str) -> dict[tuple, list[Destination]]:
    """Where each distinct recipient is reached (nowhere: the actor, an
    inactive user, a disabled target, an empty address)."""
    unique = {_recipient_key(recipient): recipient for recipient in recipients}
    reachable: dict[tuple, list[Destination]] = {key: [] for key in unique}
    users = [recipient for recipient in unique.values() if isinstance(recipient, User)
             and recipient.is_active and (actor is None or recipient.pk != actor.pk)]
    for destination in _user_destinations(users):
        reachable["user", destination.user.pk].append(destination)
    for key, recipient in unique.items():
        if isinstance(recipient, NotificationTarget):
            if recipient.enabled:
                reachable[key].append(Destination(
                    recipient.kind, recipient.address, recipient, None,
                    recipient.language or settings.LANGUAGE_CODE))
            else:
                log.warning("not notifying disabled target %s", recipient)
        elif isinstance(recipient, str) and recipient:
            reachable[key].append(Destination(NotificationChannel.EMAIL, recipient, None, None,
                                              address_language))
    return reachable


def _user_destinations(users: list[User]) -> Iterator[Destination]:
    preferences: dict[int, dict[str, NotificationPreference]] = {}
    for preference in NotificationPreference.objects.filter(user__in=users).select_related(
            "target"):
        preferences.setdefault(preference.user_id, {})[preference.channel] = preference
    for user in users:
        language = user.language or settings.LANGUAGE_CODE
        chosen = preferences.get(user.pk, {})
        found = False
        email_preference = chosen.get(NotificationChannel.EMAIL)
        if user.email and (email_preference is None or email_preference.enabled):
            found = True
            yield Destination(NotificationChannel.EMAIL, user.email, None, user, language)
        for channel, preference in chosen.items():
            if channel == NotificationChannel.EMAIL or not preference.enabled:
                continue
            if channel == NotificationChannel.SMS:
                gateway = preference.target or _default_sms_gateway()
                if user.phone and gateway is not None and gateway.enabled:
                    found = True
                    yield Destination(channel, user.phone, gateway, user, language)
            elif (preference.target is not None and preference.target.enabled
                  and preference.target.kind == channel):
                found = True
                yield Destination(channel, "", preference.target, user, language)
        if not found:
            log.warning("user %s has no usable notification channel", user.username)


def _default_sms_gateway() -> NotificationTarget | None:
    return NotificationTarget.objects.filter(
        kind=NotificationChannel.SMS, enabled=True).order_by("name").first()


@functools.cache
def _text_templates() -> Engine:
    return Engine(dirs=settings.TEMPLATES[0]["DIRS"], autoescape=False)


def render(template: str, language: str, context: dict) -> tuple[str, str]:
    """The subject line and body of `template` in `language` (or the default)."""
    languages = dict.fromkeys([language, settings.LANGUAGE_CODE, "en"])
    with translation.override(language):
        subject, body = (
            _text_templates().select_template(
                [f"notifications/{lang}/{template}.{part}.txt" for lang in languages]
            ).render(Context(context, autoescape=False))
            for part in ("subject", "body")
        )
    return " ".join(subject.split())[:300], body.strip() + "\n"


# Delivery --------------------------------------------------------------------


class DeliverNotifications:
    """Worker handler: send one due notification per call."""

    name = "deliver-notifications"

    def handle_one(self) -> bool:
        claimed = _claim_one()
        if claimed is None:
            return False
        notification, attempt = claimed
        try:
            send_over_channel(notification)
        except DeliveryError as failure:
            _record_failure(notification, attempt, str(failure), permanent=failure.permanent)
        except Exception as error:
            # A bug in a channel must not lose the message: log it and retry.
            log.exception("sending notification %s failed", notification.pk)
            _record_failure(notification, attempt, f"{type(error).__name__}: {error}",
                            permanent=False)
        else:
            _record_delivery(notification, attempt)
        return True


def _worker_name() -> str:
    return f"{socket.gethostname()}/{os.getpid()}/{threading.current_thread().name}"[:100]


def _claim_one() -> tuple[Notification, DeliveryAttempt] | None:
    # Imported here: the worker module registers this handler.
    with transaction.atomic():
        now = clock.now()
        due = Notification.objects.filter(status__in=UNDELIVERED, next_attempt_at__lte=now)
        pks = claim(due, 1)
        if not pks:
            return None
        notification = Notification.objects.select_related("target").get(pk=pks[0])
        # Compare-and-swap: only the worker that still sees the row as it was
        # takes it (SQLite has no SKIP LOCKED; on PostgreSQL the lock already
        # guarantees this).
        taken = Notification.objects.filter(
            pk=notification.pk, status=notification.status, attempts=notification.attempts,
        ).update(status=DeliveryStatus.SENDING, attempts=F("attempts") + 1,
                 next_attempt_at=now + timedelta(seconds=settings.OPSDESK_NOTIFY_LEASE_SECONDS))
        if not taken:
            return None
        if notification.status == DeliveryStatus.SENDING:
            notification.delivery_attempts.filter(outcome=DeliveryOutcome.STARTED).update(
                outcome=DeliveryOutcome.ABANDONED, finished_at=now,
                error="the worker stopped before finishing; sending again")
        notification.status = DeliveryStatus.SENDING
        notification.attempts += 1
        attempt = DeliveryAttempt.objects.create(notification=notification, started_at=now,
                                                 worker=_worker_name())
    return notification, attempt


def _finish(notification: Notification, attempt: DeliveryAttempt, *, outcome: str,
            error: str, fields: dict) -> None:
    with transaction.atomic():
        attempt.finished_at, attempt.outcome, attempt.error = clock.now(), outcome, error
        attempt.save(update_fields=["finished_at", "outcome", "error"])
        updated = Notification.objects.filter(
            pk=notification.pk, status=DeliveryStatus.SENDING, attempts=notification.attempts,
        ).update(**fields)
    if not updated:
        log.warning("notification %s was taken over by another worker after its lease ended",
                    notification.pk)


def _record_delivery(notification: Notification, attempt: DeliveryAttempt) -> None:
    _finish(notification, attempt, outcome=DeliveryOutcome.DELIVERED, error="", fields={
        "status": DeliveryStatus.DELIVERED, "delivered_at": clock.now(), "last_error": ""})


def _record_failure(notification: Notification, attempt: DeliveryAttempt, error: str, *,
                    permanent: bool) -> None:
    if permanent or notification.attempts >= settings.OPSDESK_NOTIFY_MAX_ATTEMPTS:
        log.error("notification %s is dead after %d attempts: %s",
                  notification.pk, notification.attempts, error)
        fields = {"status": DeliveryStatus.DEAD, "last_error": error}
    else:
        log.warning("notification %s attempt %d failed, retrying: %s",
                    notification.pk, notification.attempts, error)
        fields = {"status": DeliveryStatus.PENDING, "last_error": error,
                  "next_attempt_at": clock.now() + retry_delay(notification.attempts)}
    _finish(notification, attempt, outcome=DeliveryOutcome.FAILED, error=error, fields=fields)


def retry_delay(attempts: int) -> timedelta:
    """30 s after the first failure, doubling up to an hour, plus up to 10%
    jitter so that a burst of failures does not retry in one burst."""
    seconds = min(FIRST_RETRY_SECONDS * 2 ** (attempts - 1), LONGEST_RETRY_SECONDS)
    return timedelta(seconds=seconds * (1 + random.random() / 10))


def retry(notifications: Iterable[Notification]) -> int:
    """Give dead notifications a fresh set of tries, due now. Returns how
    many were revived (rows that are not dead are left alone)."""
    return Notification.objects.filter(
        pk__in=[notification.pk for notification in notifications],
        status=DeliveryStatus.DEAD,
    ).update(status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=clock.now())


# Liveness --------------------------------------------------------------------


def health_readings() -> list[Reading]:
    now = clock.now()
    counts = dict(Notification.objects.filter(
        status__in=[*UNDELIVERED, DeliveryStatus.DEAD],
    ).values_list("status").annotate(n=Count("id")).order_by())
    backlog = counts.get(DeliveryStatus.PENDING, 0) + counts.get(DeliveryStatus.SENDING, 0)
    oldest = Notification.objects.filter(status__in=UNDELIVERED).aggregate(
        oldest=Min("created_at"))["oldest"]
    minutes = settings.OPSDESK_CHECK_MAX_DELAY_MINUTES
    dead = counts.get(DeliveryStatus.DEAD, 0)
    return [
        Reading(_("Notifications waiting to be sent"), str(backlog), ok=True),
        Reading(_("Oldest undelivered notification"),
                _("none") if oldest is None else timesince(oldest, now, depth=1),
                ok=oldest is None or now - oldest <= timedelta(minutes=minutes),
                hint=_("older than %(minutes)d minutes: is the worker running and the mail "
                       "server reachable?") % {"minutes": minutes}),
        Reading(_("Dead notifications"), str(dead), ok=dead == 0,
                hint=_("see Notifications in the admin; retry them there")),
    ]
