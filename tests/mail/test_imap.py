"""Polling a real IMAP server (a private Dovecot on loopback): fetch → store
→ mark, so that a crash or an IMAP error anywhere neither loses nor doubles a
mail; and a real `opsdesk worker` killed with SIGKILL at random moments."""

import random
import signal
import subprocess
import time
from datetime import timedelta

from django.db import close_old_connections

from opsdesk.core.models import Notification
from opsdesk.incidents.models import Incident
from opsdesk.mail import imap
from opsdesk.mail.imap import PROCESSED_KEYWORD, PollMailboxes
from opsdesk.mail.models import InboundMessage, Mailbox, Outcome

from ..cli.conftest import OPSDESK
from .conftest import DESK_ADDRESS, mail


def numbered(n: int) -> bytes:
    return mail(message_id=f"<imap-{n}@customer.example.com>", subject=f"第 {n} 号问题",
                sender=f"user{n % 4}@customer.example.com")


def test_a_poll_stores_each_new_mail_once_and_marks_it(cast, imap_mailbox, dovecot):
    dovecot.append(numbered(1), numbered(2), numbered(3))

    assert PollMailboxes().handle_one() is True

    assert Incident.objects.count() == 3
    assert all(PROCESSED_KEYWORD in flags for flags in dovecot.flags())
    assert all(r"\Seen" not in flags for flags in dovecot.flags())
    imap_mailbox.refresh_from_db()
    assert imap_mailbox.last_error == "" and imap_mailbox.last_polled_at is not None


def test_the_next_poll_waits_and_then_takes_only_new_mail(cast, imap_mailbox, dovecot, frozen,
                                                          settings):
    dovecot.append(numbered(1))
    PollMailboxes().handle_one()
    dovecot.append(numbered(2))

    assert PollMailboxes().handle_one() is False  # not due yet
    frozen.shift(timedelta(seconds=settings.OPSDESK_MAIL_POLL_SECONDS))
    assert PollMailboxes().handle_one() is True

    assert Incident.objects.count() == 2
    assert InboundMessage.objects.count() == 2


def test_mail_a_person_already_read_is_still_taken(cast, imap_mailbox, dovecot):
    client = dovecot.client()
    client.append("INBOX", r"(\Seen)", None, numbered(1))
    client.logout()

    PollMailboxes().handle_one()

    assert Incident.objects.count() == 1


def test_a_full_batch_polls_again_at_once(cast, imap_mailbox, dovecot, settings):
    settings.OPSDESK_MAIL_POLL_BATCH = 2
    dovecot.append(*(numbered(n) for n in range(5)))

    rounds = 0
    while PollMailboxes().handle_one():
        rounds += 1

    assert rounds == 3
    assert Incident.objects.count() == 5


def test_processed_mail_can_be_moved_to_a_folder(cast, imap_mailbox, dovecot):
    dovecot.create("OpsDesk")
    imap_mailbox.processed_folder = "OpsDesk"
    imap_mailbox.save()
    dovecot.append(numbered(1), numbered(2))

    PollMailboxes().handle_one()

    assert (dovecot.count("INBOX"), dovecot.count("OpsDesk")) == (0, 2)
    assert Incident.objects.count() == 2


def test_a_failure_to_mark_fetches_again_without_doubling(cast, imap_mailbox, dovecot, frozen,
                                                          settings, monkeypatch):
    dovecot.append(numbered(1), numbered(2))
    marked = imap.mark_processed

    def connection_lost(*args):
        raise OSError("connection reset by peer")

    monkeypatch.setattr(imap, "mark_processed", connection_lost)
    assert PollMailboxes().handle_one() is True
    imap_mailbox.refresh_from_db()
    assert "connection reset" in imap_mailbox.last_error
    assert InboundMessage.objects.count() == 1  # stored, then the connection broke

    monkeypatch.setattr(imap, "mark_processed", marked)
    frozen.shift(timedelta(seconds=settings.OPSDESK_MAIL_POLL_SECONDS))
    PollMailboxes().handle_one()

    assert Incident.objects.count() == 2
    assert all(PROCESSED_KEYWORD in flags for flags in dovecot.flags())


def test_a_wrong_password_is_recorded_and_retried_later(cast, imap_mailbox, dovecot,
                                                        monkeypatch):
    monkeypatch.setenv("DESK_IMAP_PASSWORD", "wrong")
    dovecot.append(numbered(1))

    assert PollMailboxes().handle_one() is True

    imap_mailbox.refresh_from_db()
    assert "MailboxLoginError" in imap_mailbox.last_error
    assert imap_mailbox.next_poll_at is not None
    assert not InboundMessage.objects.exists()


def test_a_missing_password_variable_is_named(cast, imap_mailbox, dovecot, monkeypatch):
    monkeypatch.delenv("DESK_IMAP_PASSWORD")

    PollMailboxes().handle_one()

    imap_mailbox.refresh_from_db()
    assert "DESK_IMAP_PASSWORD" in imap_mailbox.last_error


def _worker(env: dict) -> subprocess.Popen:
    return subprocess.Popen([str(OPSDESK), "worker", "--interval", "0.2"], env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def _settled(dovecot, count: int) -> bool:
    close_old_connections()
    flags = dovecot.flags()
    return (len(flags) == count and all(PROCESSED_KEYWORD in f for f in flags)
            and not InboundMessage.objects.filter(outcome=Outcome.RECEIVED).exists())


def test_a_worker_killed_at_random_moments_loses_and_doubles_nothing(shared_db, dovecot):
    count, seed = 40, random.randrange(1_000_000)
    chance = random.Random(seed)
    Mailbox.objects.create(
        name="imapdesk", address=DESK_ADDRESS, imap_host="127.0.0.1", imap_port=dovecot.port,
        imap_ssl=False, imap_username=dovecot.user, imap_password_env="DESK_IMAP_PASSWORD")
    dovecot.append(*(numbered(n) for n in range(count)))
    env = {**shared_db, "DESK_IMAP_PASSWORD": dovecot.password,
           "OPSDESK_MAIL_POLL_BATCH": "7", "OPSDESK_MAIL_POLL_SECONDS": "1",
           "OPSDESK_MAIL_LEASE_SECONDS": "1", "OPSDESK_MAIL_RATE_PER_HOUR": "1000"}

    kills = 0
    while kills < 12 and not _settled(dovecot, count):
        worker = _worker(env)
        time.sleep(chance.uniform(0.8, 3.0))
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        kills += 1
    worker = _worker(env)
    try:
        deadline = time.monotonic() + 300
        while not _settled(dovecot, count):
            assert time.monotonic() < deadline, f"not settled (seed {seed}, {kills} kills)"
            time.sleep(0.5)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=20)

    assert kills >= 1
    rows = list(InboundMessage.objects.order_by("message_id"))
    assert sorted(r.message_id for r in rows) == sorted(
        f"<imap-{n}@customer.example.com>" for n in range(count)), f"seed {seed}"
    assert {r.outcome for r in rows} == {Outcome.CREATED}, f"seed {seed}"
    assert Incident.objects.count() == count, f"seed {seed}"
    assert len({r.incident_id for r in rows}) == count
    assert Notification.objects.filter(event="mail_received").count() == count

