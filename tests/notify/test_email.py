"""E-mail delivery to a real SMTP server on loopback: headers, Chinese text,
backoff while the server is down, dead letters and their revival."""

from datetime import timedelta

from django.db import transaction

from opsdesk.core import outbox
from opsdesk.core.models import DeliveryAttempt, Notification

from ..conftest import FROZEN_AT
from .conftest import deliver_all, header


def _queue_for_chen(cast, **context) -> Notification:
    incident = cast.log()
    with transaction.atomic():
        [row] = outbox.enqueue(incident, event="escalated", recipients=[cast.engineer_chen],
                               context={"incident": incident, "reason": "响应时限已超时",
                                        **context})
    return row


def test_an_email_reaches_the_server_threaded_tagged_and_in_chinese(cast, smtp_server,
                                                                    settings):
    settings.OPSDESK_EMAIL_REPLY_TO = "desk@ops.example.cn"
    row = _queue_for_chen(cast)

    assert deliver_all() == 1

    [mail] = smtp_server.messages
    assert header(mail, "Subject") == f"[{row.reference}] 事件已升级：网银系统登录缓慢"
    assert header(mail, "To") == "engineer_chen@example.com"
    assert header(mail, "From") == "OpsDesk <desk@ops.example.cn>"
    assert header(mail, "Reply-To") == "desk@ops.example.cn"
    assert header(mail, "Message-ID") == row.message_id
    assert row.message_id.endswith("@ops.example.cn>")
    thread = f"<incident-{row.reference}@ops.example.cn>"
    assert (header(mail, "In-Reply-To"), header(mail, "References")) == (thread, thread)
    assert header(mail, "Auto-Submitted") == "auto-generated"
    body = mail.get_content()
    assert f"事件 {row.reference} 已升级。" in body
    assert "原因：响应时限已超时" in body
    row.refresh_from_db()
    assert (row.status, row.attempts, row.delivered_at, row.last_error) == (
        "delivered", 1, FROZEN_AT, "")
    [attempt] = row.delivery_attempts.all()
    assert (attempt.outcome, attempt.started_at, attempt.finished_at, attempt.error) == (
        "delivered", FROZEN_AT, FROZEN_AT, "")
    assert deliver_all() == 0


def test_every_mail_about_one_record_joins_its_thread(cast, smtp_server):
    incident = cast.log()
    with transaction.atomic():
        outbox.enqueue(incident, event="assigned", recipients=[cast.engineer_chen],
                       context={"incident": incident})
    with transaction.atomic():
        outbox.enqueue(incident, event="escalated", recipients=[cast.lead_wang],
                       context={"incident": incident, "reason": "再次分派超过三次"})

    assert deliver_all() == 2

    thread = f"<incident-{incident.number}@ops.example.cn>"
    assert [header(mail, "References") for mail in smtp_server.messages] == [thread, thread]
    assert len({header(mail, "Message-ID") for mail in smtp_server.messages}) == 2


def test_while_the_server_is_down_the_mail_waits_and_then_arrives_once(cast, smtp_later,
                                                                       frozen):
    row = _queue_for_chen(cast)

    assert deliver_all() == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("pending", 1)
    assert "Connection refused" in row.last_error
    assert timedelta(seconds=30) <= row.next_attempt_at - FROZEN_AT <= timedelta(seconds=33)
    first_retry = row.next_attempt_at
    assert deliver_all() == 0  # not due yet

    frozen.move_to(first_retry)
    assert deliver_all() == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("pending", 2)
    assert timedelta(seconds=60) <= row.next_attempt_at - first_retry <= timedelta(seconds=66)

    smtp_later.start()
    frozen.move_to(row.next_attempt_at - timedelta(seconds=1))
    assert deliver_all() == 0
    frozen.move_to(row.next_attempt_at)
    assert deliver_all() == 1

    assert [header(mail, "Message-ID") for mail in smtp_later.messages] == [row.message_id]
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("delivered", 3)
    assert list(row.delivery_attempts.values_list("outcome", flat=True)) == [
        "failed", "failed", "delivered"]
    frozen.shift(timedelta(days=1))
    assert deliver_all() == 0
    assert len(smtp_later.messages) == 1


def test_after_the_last_try_the_row_is_dead_until_retried(cast, smtp_later, frozen, settings):
    settings.OPSDESK_NOTIFY_MAX_ATTEMPTS = 3
    row = _queue_for_chen(cast)

    for _attempt in range(3):
        assert deliver_all() == 1
        row.refresh_from_db()
        frozen.move_to(row.next_attempt_at)
    frozen.shift(timedelta(days=7))
    assert deliver_all() == 0
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("dead", 3)
    assert "Connection refused" in row.last_error

    assert outbox.retry([row]) == 1
    assert outbox.retry([row]) == 0  # no longer dead
    smtp_later.start()
    assert deliver_all() == 1

    row.refresh_from_db()
    assert (row.status, row.attempts) == ("delivered", 1)
    assert DeliveryAttempt.objects.filter(notification=row).count() == 4
    assert [header(mail, "Message-ID") for mail in smtp_later.messages] == [row.message_id]


def test_a_refused_recipient_is_dead_at_once(cast, smtp_server, monkeypatch):
    async def refuse(server, session, envelope, address, rcpt_options):
        return "550 5.1.1 No such user"

    monkeypatch.setattr(smtp_server.mailbox, "handle_RCPT", refuse, raising=False)
    row = _queue_for_chen(cast)

    assert deliver_all() == 1

    row.refresh_from_db()
    assert (row.status, row.attempts) == ("dead", 1)
    assert "refused engineer_chen@example.com" in row.last_error
    assert smtp_server.messages == []


def test_a_worker_that_died_mid_send_leaves_the_row_to_another_after_the_lease(
        cast, smtp_server, frozen, settings):
    row = _queue_for_chen(cast)
    claimed = outbox._claim_one()  # a worker takes the row, then is killed
    assert claimed is not None and claimed[0].pk == row.pk
    assert deliver_all() == 0  # leased: nobody else sends it meanwhile

    frozen.shift(timedelta(seconds=settings.OPSDESK_NOTIFY_LEASE_SECONDS))
    assert deliver_all() == 1

    row.refresh_from_db()
    assert (row.status, row.attempts) == ("delivered", 2)
    assert list(row.delivery_attempts.values_list("outcome", flat=True)) == [
        "abandoned", "delivered"]
    assert [header(mail, "Message-ID") for mail in smtp_server.messages] == [row.message_id]
