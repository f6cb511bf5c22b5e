"""Turning a received mail into a ticket change, exactly once (issue 4, e-mail
items 3 to 5).

`ingest()` first stores the raw mail under its (mailbox, Message-ID) in one
transaction; the unique constraint makes a second delivery, or a concurrent
one, find that row instead. Noise, bounces, loops and senders over their rate
limit are decided there and then, and never touch a ticket or answer. Any
other mail is then processed through the incident actions; each step can be
repeated without doubling (the new incident carries an idempotency key,
comments and attachments already added are recognised), so a crash at any
point is repaired by processing the stored mail again: the caller does so at
once on a re-delivery, the worker (`ProcessStoredMail`) when the lease runs
out.
"""

import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from email.utils import parseaddr

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from opsdesk.core import clock, outbox
from opsdesk.core.choices import Role
from opsdesk.core.claims import claim
from opsdesk.core.errors import Invalid, OpsDeskError
from opsdesk.core.models import Notification, TimelineEvent, User
from opsdesk.incidents import actions
from opsdesk.incidents.choices import Channel, Kind
from opsdesk.incidents.models import Attachment, Incident
from opsdesk.incidents.rules import IncidentClosed

from . import threading
from .message import Noise, ParsedMail
from .models import FailingAddress, InboundMessage, Mailbox, Outcome
from .parsing import parse_message

log = logging.getLogger("opsdesk.mail")

SOURCE = "email"
ROBOT_USERNAME = "opsdesk-mail"
# Kept of a mail too large to store: enough for every header.
HEADER_BYTES = 64 * 1024
_REPLY_PREFIX = re.compile(r"^\s*(?:(?:re|fw|fwd|aw|wg|sv|vs|回复|答复|转发)\s*[:：]\s*)+",
                           re.IGNORECASE)
_TAG = re.compile(r"\[INC-\d{8}-\d{4,}\]\s*", re.IGNORECASE)


def ingest(mailbox: Mailbox, raw: bytes) -> InboundMessage:
    """Store and process one mail; the InboundMessage says what became of it."""
    parsed = parse_message(raw)
    inbound, taken = store(mailbox, raw, parsed)
    if inbound.outcome == Outcome.RECEIVED and (taken or _take(inbound)):
        process(inbound, parsed)
        inbound = InboundMessage.objects.defer("raw").get(pk=inbound.pk)
    return inbound


def message_key(parsed: ParsedMail, raw: bytes) -> str:
    if parsed.message_id and len(parsed.message_id) <= 255:
        return parsed.message_id
    digest = hashlib.sha256(parsed.message_id.encode() or raw).hexdigest()
    return f"<sha256-{digest}@opsdesk.invalid>"


def store(mailbox: Mailbox, raw: bytes, parsed: ParsedMail) -> tuple[InboundMessage, bool]:
    """The mail's row: the existing one for a mail seen before, else a new
    one; and whether this call took it for processing."""
    key = message_key(parsed, raw)
    existing = InboundMessage.objects.defer("raw").filter(mailbox=mailbox, message_id=key).first()
    if existing is not None:
        return existing, False
    now = clock.now()
    outcome, note = classify(mailbox, parsed, len(raw))
    inbound = InboundMessage(
        mailbox=mailbox, message_id=key, received_at=now, sender=parsed.sender_address[:254],
        subject=parsed.subject[:300], outcome=outcome, note=note,
        raw=raw if len(raw) <= settings.OPSDESK_MAIL_MAX_MB * 1024 * 1024 else raw[:HEADER_BYTES],
    )
    if outcome == Outcome.RECEIVED:
        inbound.attempts, inbound.next_attempt_at = 1, _lease_end(now)
    try:
        with transaction.atomic():
            inbound.save(force_insert=True)
            if outcome == Outcome.BOUNCE:
                inbound.note = _record_bounce(parsed, inbound)
                inbound.save(update_fields=["note"])
            elif outcome == Outcome.RECEIVED:
                # A mail from the address shows it works again.
                FailingAddress.objects.filter(address=parsed.sender_address).delete()
    except IntegrityError:
        # The same mail, delivered concurrently: the first delivery owns it.
        return InboundMessage.objects.defer("raw").get(mailbox=mailbox, message_id=key), False
    return inbound, outcome == Outcome.RECEIVED


def classify(mailbox: Mailbox, parsed: ParsedMail, size: int) -> tuple[str, str]:
    """What to do with a new mail, before any ticket is looked at."""
    if size > settings.OPSDESK_MAIL_MAX_MB * 1024 * 1024:
        return Outcome.REJECTED, _("Larger than %(mb)d MB: only the headers are kept.") % {
            "mb": settings.OPSDESK_MAIL_MAX_MB}
    if not mailbox.active:
        return Outcome.REJECTED, _("The mailbox is not active.")
    if threading.ours(parsed.message_id):
        return Outcome.NOISE, _("One of our own notifications came back.")
    if parsed.sender_address in our_addresses():
        return Outcome.NOISE, _("Sent from one of our own addresses.")
    if parsed.noise == Noise.BOUNCE:
        return Outcome.BOUNCE, parsed.noise_reason
    if parsed.noise is not None:
        return Outcome.NOISE, parsed.noise_reason or Noise(parsed.noise).value
    if not parsed.sender_address:
        return Outcome.REJECTED, _("The mail has no sender address.")
    if over_rate_limit(parsed.sender_address):
        return Outcome.RATE_LIMITED, _(
            "%(sender)s sent more than %(limit)d mails within an hour.") % {
            "sender": parsed.sender_address, "limit": settings.OPSDESK_MAIL_RATE_PER_HOUR}
    return Outcome.RECEIVED, ""


def our_addresses() -> set[str]:
    _name, sender = parseaddr(settings.DEFAULT_FROM_EMAIL)
    addresses = {address.lower() for address in Mailbox.objects.values_list("address", flat=True)}
    return addresses | {sender.lower()}


def over_rate_limit(sender: str) -> bool:
    since = clock.now() - timedelta(hours=1)
    recent = InboundMessage.objects.filter(
        sender=sender, received_at__gt=since,
    ).exclude(outcome__in=[Outcome.NOISE, Outcome.BOUNCE]).count()
    return recent >= settings.OPSDESK_MAIL_RATE_PER_HOUR


def _record_bounce(parsed: ParsedMail, inbound: InboundMessage) -> str:
    """Mark the addresses our bounced notifications went to as failing; the note."""
    bounced = [notification for message_id in parsed.bounced_message_ids
               if (notification := threading.notification_with(message_id)) is not None]
    if not bounced:
        return _("%(reason)s (not a bounce of one of our notifications)") % {
            "reason": parsed.noise_reason}
    for notification in bounced:
        _mark_failing(notification, parsed.noise_reason, inbound.received_at)
    return _("%(reason)s; failing: %(addresses)s") % {
        "reason": parsed.noise_reason,
        "addresses": ", ".join(sorted({n.address for n in bounced}))}


def _mark_failing(notification: Notification, reason: str, now) -> None:
    address = notification.address.lower()
    fields = {"last_bounce_at": now, "notification": notification, "reason": reason[:2000]}
    if FailingAddress.objects.filter(address=address).update(bounces=F("bounces") + 1,
                                                              **fields):
        return
    try:
        with transaction.atomic():
            FailingAddress.objects.create(address=address, first_bounce_at=now, **fields)
    except IntegrityError:
        FailingAddress.objects.filter(address=address).update(bounces=F("bounces") + 1, **fields)


# Processing ------------------------------------------------------------------


def _lease_end(now):
    return now + timedelta(seconds=settings.OPSDESK_MAIL_LEASE_SECONDS)


def _take(inbound: InboundMessage) -> bool:
    """Take a stored, unprocessed mail whose last processor's lease ran out
    (compare-and-swap: of two processes, one wins)."""
    now = clock.now()
    taken = InboundMessage.objects.filter(
        pk=inbound.pk, outcome=Outcome.RECEIVED, attempts=inbound.attempts,
        next_attempt_at__lte=now,
    ).update(attempts=F("attempts") + 1, next_attempt_at=_lease_end(now))
    if taken:
        inbound.attempts += 1
    return bool(taken)


class ProcessStoredMail:
    """Worker handler: finish one stored mail whose processing was cut short
    (a crash, a database error) or failed, once its lease has run out."""

    name = "process-stored-mail"

    def handle_one(self) -> bool:
        with transaction.atomic():
            due = InboundMessage.objects.filter(outcome=Outcome.RECEIVED,
                                                next_attempt_at__lte=clock.now())
            pks = claim(due, 1)
            inbound = (InboundMessage.objects.select_related("mailbox").get(pk=pks[0])
                       if pks else None)
            if inbound is not None and not _take(inbound):
                inbound = None
        if inbound is None:
            return False
        process(inbound, parse_message(bytes(inbound.raw)))
        return True


@dataclass(frozen=True)
class Result:
    outcome: str
    incident: Incident | None
    follow_up_of: Incident | None = None
    note: str = ""
    answer: str = ""  # the template of the mail that answers the sender, if any


def process(inbound: InboundMessage, parsed: ParsedMail) -> None:
    """Turn a stored mail into a new incident or a comment. A mail that
    cannot make a valid change is marked failed; an unexpected error leaves
    it stored for the worker to retry, up to OPSDESK_MAIL_MAX_ATTEMPTS."""
    try:
        result = _apply(inbound, parsed)
    except OpsDeskError as error:
        _finish(inbound, Result(Outcome.FAILED, None, note=_describe(error)), parsed)
    except Exception as error:
        log.exception("processing mail %s (%s) failed", inbound.pk, inbound.message_id)
        _retry_later(inbound, f"{type(error).__name__}: {error}")
    else:
        _finish(inbound, result, parsed)


def _describe(error: OpsDeskError) -> str:
    details = "; ".join(f"{field}: {text}" for field, text in error.fields.items())
    return f"{error.message} {details}".strip()


def _retry_later(inbound: InboundMessage, error: str) -> None:
    fields = {"note": error[:2000]}
    if inbound.attempts >= settings.OPSDESK_MAIL_MAX_ATTEMPTS:
        fields.update(outcome=Outcome.FAILED, next_attempt_at=None)
    InboundMessage.objects.filter(pk=inbound.pk, outcome=Outcome.RECEIVED).update(**fields)


def _apply(inbound: InboundMessage, parsed: ParsedMail) -> Result:
    sender = user_with_address(parsed.sender_address)
    incident = threading.find_incident(parsed)
    if incident is None:
        return Result(Outcome.CREATED, _open_incident(inbound, parsed, sender),
                      answer="mail_received")
    if not incident.is_closed:
        try:
            return _add_reply(inbound, parsed, incident, sender)
        except IncidentClosed:
            pass  # closed since it was looked up
    follow_up = _open_incident(inbound, parsed, sender, follow_up_of=incident)
    return Result(Outcome.CREATED, follow_up, follow_up_of=incident, answer="mail_follow_up")


def user_with_address(address: str) -> User | None:
    if not address:
        return None
    return (User.objects.filter(email__iexact=address, is_active=True)
            .exclude(is_robot=True).order_by("pk").first())


def mail_robot() -> User:
    """The account intake acts as when the sender has none: it registers and
    dispatches tickets (so it is a service-desk agent), it cannot sign in and
    has no address, so it is never notified."""
    robot = User.objects.filter(username=ROBOT_USERNAME).first()
    if robot is not None:
        return robot
    robot = User(username=ROBOT_USERNAME, display_name=_("E-mail intake"), role=Role.AGENT,
                 is_robot=True)
    robot.set_unusable_password()
    try:
        with transaction.atomic():
            robot.save(force_insert=True)
    except IntegrityError:
        robot = User.objects.get(username=ROBOT_USERNAME)
    return robot


def clean_title(subject: str) -> str:
    title = _REPLY_PREFIX.sub("", _TAG.sub("", subject)).strip()
    return (title or _("(no subject)"))[:200]


def _open_incident(inbound: InboundMessage, parsed: ParsedMail, sender: User | None,
                   follow_up_of: Incident | None = None) -> Incident:
    mailbox, robot = inbound.mailbox, mail_robot()
    description = parsed.text.strip()
    if follow_up_of is not None:
        description = _("Reply to the closed incident %(number)s:") % {
            "number": follow_up_of.number} + "\n\n" + description
    customer = sender.customer if sender is not None and sender.customer_id else mailbox.customer
    incident = actions.log_incident(
        actor=sender or robot, source=SOURCE, title=clean_title(parsed.subject),
        kind=Kind.FAULT, channel=Channel.EMAIL, impact=mailbox.impact, urgency=mailbox.urgency,
        description=description[:20000], category=mailbox.category, customer=customer,
        requester=sender, reporter_name=parsed.sender_name[:100],
        reporter_email=parsed.sender_address,
        # A repeat of this step after a crash returns the incident made the first time.
        idempotency_key=f"mail-{inbound.pk}",
        idempotency_digest=hashlib.sha256(inbound.message_id.encode()).hexdigest(),
    )
    if mailbox.team_id is not None and incident.team_id is None:
        incident = actions.assign(incident, actor=robot, source=SOURCE, expected_version=None,
                                  team=mailbox.team)
    _attach(inbound, parsed, incident, sender or robot)
    return incident


def _author(incident: Incident, sender: User | None) -> User:
    """Who a reply is written as: the sender's account, unless that is a
    requester of someone else's ticket (who may not write on it)."""
    if sender is None or (sender.is_requester and incident.requester_id != sender.pk):
        return mail_robot()
    return sender


def _add_reply(inbound: InboundMessage, parsed: ParsedMail, incident: Incident,
               sender: User | None) -> Result:
    author = _author(incident, sender)
    text = (parsed.reply_text or parsed.text).strip()
    if not text:
        text = _("(The mail had no text.)")
    if author.is_robot:
        who = f"{parsed.sender_name} <{parsed.sender_address}>" if parsed.sender_name \
            else parsed.sender_address
        text = _("E-mail from %(sender)s:") % {"sender": who} + "\n\n" + text
    text = text[:20000]
    # Staff answering a notification by mail write an internal note: a reply
    # to "assigned to you" is not meant for the customer.
    public = author.is_requester or author.is_robot
    if not (inbound.attempts > 1 and _commented_before(incident, author, text)):
        actions.comment(incident, actor=author, source=SOURCE, body=text, public=public)
    _attach(inbound, parsed, incident, author)
    return Result(Outcome.COMMENTED, incident)


def _commented_before(incident: Incident, author: User, text: str) -> bool:
    return TimelineEvent.objects.filter(
        subject_type=Incident.TIMELINE_TYPE, subject_id=incident.pk, kind="comment",
        actor=author, source=SOURCE, note=text,
    ).exists()


def _attach(inbound: InboundMessage, parsed: ParsedMail, incident: Incident,
            actor: User) -> None:
    # Inline images are logos and signatures in the HTML body, not evidence.
    for attachment in parsed.attachments:
        if not attachment.payload or (attachment.inline
                                      and attachment.content_type.startswith("image/")):
            continue
        if inbound.attempts > 1 and Attachment.objects.filter(
                incident=incident, uploaded_by=actor, size=len(attachment.payload),
                uploaded_at__gte=inbound.received_at).exists():
            continue
        upload = SimpleUploadedFile(attachment.filename or "attachment", attachment.payload,
                                    attachment.content_type)
        try:
            actions.add_attachment(incident, actor=actor, source=SOURCE, upload=upload)
        except Invalid as error:
            log.warning("mail %s: attachment %s not added: %s", inbound.pk,
                        attachment.filename, _describe(error))


def _finish(inbound: InboundMessage, result: Result, parsed: ParsedMail) -> None:
    """Record the outcome and queue the answer in one transaction, so the
    sender is answered once even if two processes got this far."""
    with transaction.atomic():
        finished = InboundMessage.objects.filter(
            pk=inbound.pk, outcome=Outcome.RECEIVED,
        ).update(outcome=result.outcome, incident=result.incident,
                 follow_up_of=result.follow_up_of, note=result.note, next_attempt_at=None)
        if finished and result.answer:
            sender = user_with_address(parsed.sender_address)
            outbox.enqueue(
                result.incident, event=result.answer, template=result.answer,
                recipients=[sender or parsed.sender_address], actor=mail_robot(),
                context={"incident": result.incident, "closed": result.follow_up_of},
            )
