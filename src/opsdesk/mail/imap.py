"""Polling IMAP mailboxes: fetch → store → mark, so that nothing is lost or
doubled (issue 4, e-mail item 5).

Each message is fetched by UID without setting \\Seen, stored through
`ingest()` (idempotent by Message-ID), and only then marked processed: with
the keyword $OpsDeskProcessed, or by moving it to the mailbox's processed
folder. A crash or an IMAP error before the mark leaves the message
unmarked; the next poll fetches it again and `ingest()` recognises it.
\\Seen is not used: people reading the box would hide mail from the desk.
"""

import imaplib
import logging
import socket
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from imap_tools import AND, MailBox, MailBoxUnencrypted
from imap_tools.errors import MailboxLoginError, UnexpectedCommandStatusError

from opsdesk.core import clock
from opsdesk.core.claims import claim

from .ingest import ingest
from .models import Mailbox, MailboxConfigError

log = logging.getLogger("opsdesk.mail")

PROCESSED_KEYWORD = "$OpsDeskProcessed"
IMAP_ERRORS = (OSError, socket.timeout, imaplib.IMAP4.error, MailboxLoginError,
               UnexpectedCommandStatusError, MailboxConfigError)


class PollMailboxes:
    """Worker handler: poll one mailbox that is due, up to a batch of mails."""

    name = "poll-mailboxes"

    def handle_one(self) -> bool:
        mailbox = _claim_due_mailbox()
        if mailbox is None:
            return False
        try:
            taken = poll(mailbox, limit=settings.OPSDESK_MAIL_POLL_BATCH)
        except IMAP_ERRORS as error:
            log.warning("polling mailbox %s failed: %s", mailbox.name, error)
            _polled(mailbox, error=f"{type(error).__name__}: {error}", full=False)
            return True
        _polled(mailbox, error="", full=taken >= settings.OPSDESK_MAIL_POLL_BATCH)
        if taken:
            log.info("%s: mailbox %s: %d mails", self.name, mailbox.name, taken)
        return True


def _claim_due_mailbox() -> Mailbox | None:
    with transaction.atomic():
        now = clock.now()
        due = Mailbox.objects.filter(active=True).exclude(imap_host="").exclude(
            next_poll_at__gt=now)
        pks = claim(due, 1)
        if not pks:
            return None
        # The lease: another worker takes this mailbox only if this one dies.
        Mailbox.objects.filter(pk=pks[0]).update(
            next_poll_at=now + timedelta(seconds=settings.OPSDESK_MAIL_LEASE_SECONDS))
        return Mailbox.objects.get(pk=pks[0])


def _polled(mailbox: Mailbox, *, error: str, full: bool) -> None:
    """Schedule the next poll: at once when the batch was full (more waits)."""
    now = clock.now()
    wait = timedelta(0) if full else timedelta(seconds=settings.OPSDESK_MAIL_POLL_SECONDS)
    Mailbox.objects.filter(pk=mailbox.pk).update(
        next_poll_at=now + wait, last_polled_at=now, last_error=error[:2000])


def connect(mailbox: Mailbox) -> MailBox:
    kind = MailBox if mailbox.imap_ssl else MailBoxUnencrypted
    port = mailbox.imap_port or (993 if mailbox.imap_ssl else 143)
    client = kind(mailbox.imap_host, port, timeout=30)
    return client.login(mailbox.imap_username or mailbox.address, mailbox.imap_password(),
                        initial_folder=mailbox.imap_folder)


def poll(mailbox: Mailbox, *, limit: int) -> int:
    """Fetch, store and mark up to `limit` unprocessed mails; how many."""
    with connect(mailbox) as box:
        criteria = "ALL" if mailbox.processed_folder else AND(no_keyword=PROCESSED_KEYWORD)
        uids = box.uids(criteria)[:limit]
        for uid in uids:
            raw = fetch_raw(box, uid)
            if raw is None:  # expunged by someone else meanwhile
                continue
            ingest(mailbox, raw)
            mark_processed(box, mailbox, uid)
    return len(uids)


def fetch_raw(box: MailBox, uid: str) -> bytes | None:
    status, data = box.client.uid("fetch", uid, "(BODY.PEEK[])")
    if status != "OK":
        raise imaplib.IMAP4.error(f"UID FETCH {uid} answered {status}: {data!r}")
    for item in data:
        if isinstance(item, tuple):
            return item[1]
    return None


def mark_processed(box: MailBox, mailbox: Mailbox, uid: str) -> None:
    if mailbox.processed_folder:
        box.move(uid, mailbox.processed_folder)
    else:
        box.flag(uid, PROCESSED_KEYWORD, True)
