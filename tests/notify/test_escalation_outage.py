"""Escalations that fire while the mail server is down (issue 3): their mails
wait, retried with backoff, and arrive once each when the server is back."""

from collections import Counter
from datetime import timedelta

from opsdesk.core.models import Notification
from opsdesk.incidents.models import Escalation
from opsdesk.sla.sweep import SlaSweep

from .conftest import deliver_all, header


def run_worker_handlers() -> None:
    """What a worker does in one pass: fire every due step, send what is due."""
    sweep = SlaSweep()
    while sweep.handle_one():
        pass
    deliver_all()


def test_escalation_mails_wait_out_an_hour_long_mail_outage_and_arrive_once(
        cast, smtp_later, frozen):
    p1 = cast.log(impact="high", urgency="critical")
    p2 = cast.log(impact="high", urgency="high")
    assert (p1.priority, p2.priority) == (1, 2)

    for _minute in range(60):
        frozen.shift(timedelta(minutes=1))
        run_worker_handlers()

    fired = Counter(Escalation.objects.values_list("incident_id", flat=True))
    assert fired[p1.pk] >= 7 and fired[p2.pk] >= 2  # P1 at once, then its matrix; P2 too
    waiting = list(Notification.objects.all())
    assert waiting and {row.status for row in waiting} == {"pending"}
    assert min(row.attempts for row in waiting) >= 1
    assert max(row.attempts for row in waiting) >= 7  # the P1 mail, tried since logging
    assert all("Connection refused" in row.last_error for row in waiting)

    smtp_later.start()
    # The longest wait between tries is an hour (plus jitter): after two,
    # every mail queued during the outage has had its next try.
    for _quarter in range(8):
        frozen.shift(timedelta(minutes=15))
        run_worker_handlers()

    notifications = Notification.objects.all()
    assert set(notifications.values_list("status", flat=True)) == {"delivered"}
    received = Counter(header(mail, "Message-ID") for mail in smtp_later.messages)
    assert len(smtp_later.messages) == len(received) == notifications.count()
    assert set(received) == set(notifications.values_list("message_id", flat=True))
    for row in waiting:
        row.refresh_from_db()
        outcomes = list(row.delivery_attempts.order_by("pk").values_list("outcome", flat=True))
        assert outcomes == ["failed"] * (row.attempts - 1) + ["delivered"]
    subjects = {str(mail["Subject"]) for mail in smtp_later.messages}
    assert any(p1.number in subject for subject in subjects)
    assert any(p2.number in subject for subject in subjects)
