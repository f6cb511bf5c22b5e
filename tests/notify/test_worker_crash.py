"""Crash safety with real processes (issue 3).

Two `opsdesk worker` processes on PostgreSQL work through 2,000 incidents
whose escalations fall due within seconds; one is killed with SIGKILL in the
middle of sending a mail and a replacement is started. Every due escalation
fires once, and the SMTP server on loopback receives every notification once.

One instant remains where a kill does cause a second copy: after the server
has accepted a mail and before the worker has recorded it. No sender can
close it (the server's acceptance and our commit are not one atomic step);
the last test shows what happens then: the copy has the same Message-ID.
"""

import signal
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import transaction
from django.db.models import F

from opsdesk.core import outbox
from opsdesk.core.models import DeliveryAttempt, Notification, TimelineEvent
from opsdesk.incidents import actions, escalations
from opsdesk.incidents.models import Escalation, Incident
from opsdesk.sla import rules

from .conftest import header, wait_for

TICKETS = 2000
P1_EVERY = 10  # one ticket in ten is priority 1, the rest priority 2
# The tickets' last steps fall due over this span: long enough that the kill
# below comes while steps are still falling due, even on a loaded machine.
SPREAD = timedelta(seconds=15)
SLOTS = 80
LEAD = timedelta(seconds=3)  # the first falls due about when the workers have started
# Short, so that the killed worker's mail is sent again soon; still far
# longer than a send takes, or a live worker would lose its mail to another.
LEASE_SECONDS = 5
# The VIP policies and the P1 matrix of the seeds (migrations sla 0004, 0005):
# a P2 ticket is brought to its response deadline (8 min after registration);
# a P1 ticket to its last matrix step (leadership, 15 min), so the steps
# before it are overdue and caught up in order.
LAST_STEP = {1: timedelta(minutes=15), 2: timedelta(minutes=8)}
EXPECTED_STEPS = {
    1: [rules.P1_LOGGED, rules.RESPONSE_BREACH, "matrix:team_lead", "matrix:incident_manager",
        "matrix:service_manager", "matrix:ops_director", "matrix:leadership"],
    2: [rules.RESPONSE_BREACH],
}
# The instants rules.decide reads; with the 24×7 calendar of P1 and P2,
# moving them all by the same amount is the same as logging that much earlier.
CLOCK_COLUMNS = ["occurred_at", "registered_at", "response_due_at", "response_near_at",
                 "resolve_due_at", "resolve_near_at", "next_escalation_at"]


def wall_clock() -> datetime:
    """The real time the worker processes see (this process's clock is frozen)."""
    return datetime.fromtimestamp(time_machine.escape_hatch.time.time(), UTC)


def progress() -> str:
    due = Incident.objects.filter(next_escalation_at__lte=wall_clock()).count()
    outbox_rows = dict(Counter(Notification.objects.values_list("status", flat=True)))
    return f"(incidents due: {due}; notifications: {outbox_rows})"


def log_tickets(cast) -> list[Incident]:
    incidents = []
    for n in range(TICKETS):
        urgency = "critical" if n % P1_EVERY == 0 else "high"
        incidents.append(cast.log(impact="high", urgency=urgency, title=f"交易系统告警 {n}"))
    assert Counter(incident.priority for incident in incidents) == {
        1: TICKETS // P1_EVERY, 2: TICKETS - TICKETS // P1_EVERY}
    return incidents


def bring_due(incidents: list[Incident], logged_at: datetime, first_due: datetime) -> None:
    """The documented bulk UPDATE: move each ticket's clock columns back so
    that its last step falls due at first_due + its slot × SPREAD / SLOTS, as
    if it had been logged that much earlier. Logging 2,000 tickets with the
    clock set back one by one would take as long as the spread itself."""
    slots = defaultdict(list)
    for n, incident in enumerate(incidents):
        slots[incident.priority, n * SLOTS // TICKETS].append(incident.pk)
    for (priority, slot), pks in slots.items():
        due = first_due + slot * SPREAD / SLOTS
        shift = due - (logged_at + LAST_STEP[priority])
        Incident.objects.filter(pk__in=pks).update(
            **{column: F(column) + shift for column in CLOCK_COLUMNS})


def fired_by_ticket() -> dict[int, list[str]]:
    fired = defaultdict(list)
    for incident_id, key in Escalation.objects.order_by("pk").values_list("incident_id", "key"):
        fired[incident_id].append(key)
    return fired


@pytest.mark.postgres_only
def test_killing_a_worker_mid_run_loses_and_repeats_no_escalation_and_no_mail(
        tx_cast, frozen, smtp_server, worker_processes):
    logged_at = wall_clock().replace(microsecond=0)
    frozen.move_to(logged_at)
    incidents = log_tickets(tx_cast)
    logging_seconds = (wall_clock() - logged_at).total_seconds()
    first_due = wall_clock() + LEAD
    bring_due(incidents, logged_at, first_due)
    last_due = first_due + SPREAD
    # The columns moved are exactly what the escalation rules would schedule.
    fired = fired_by_ticket()
    for incident in Incident.objects.all():
        assert incident.next_escalation_at == rules.next_due(
            incident.sla_snapshot, escalations.state_of(incident), set(fired[incident.pk]))
    expected_escalations = sum(len(EXPECTED_STEPS[i.priority]) for i in incidents)

    worker_processes.env.update({"OPSDESK_NOTIFY_LEASE_SECONDS": str(LEASE_SECONDS),
                                 "OPSDESK_EMAIL_TIMEOUT": "2"})
    started = time.monotonic()
    workers = [worker_processes.start("--interval", "0.2") for _worker in range(2)]

    # Mid-run: a third of the escalations fired and mails arriving (a busy
    # worker may fire many before it delivers one). Hold the mail server, and
    # kill the first worker found waiting in it, its message not complete.
    mailbox = smtp_server.mailbox
    wait_for(lambda: (Escalation.objects.count() >= expected_escalations // 3
                      and mailbox.messages), timeout=60,
             what="a third of the escalations and a first mail", state=progress)
    mailbox.gate.clear()
    sending = wait_for(lambda: list(mailbox.held), timeout=20, what="a worker to be sending")
    [victim] = [worker for worker in workers if worker_processes.sender(worker) == sending[0]]
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=10)
    at_kill = Escalation.objects.count(), len(mailbox.messages), Notification.objects.count()
    mailbox.gate.set()
    worker_processes.start("--interval", "0.2")
    assert expected_escalations // 3 <= at_kill[0] < expected_escalations
    assert 0 < at_kill[1] < at_kill[2]

    def finished():
        return (wall_clock() > last_due
                and not Incident.objects.filter(next_escalation_at__lte=wall_clock()).exists()
                and not Notification.objects.exclude(status="delivered").exists())

    # Generous: on an idle machine the workers need about a minute.
    wait_for(finished, timeout=300, what="every step fired and every mail delivered",
             state=lambda: progress() + worker_processes.logs()[-3000:])
    run_seconds = time.monotonic() - started
    worker_processes.stop_all()
    assert [process.returncode for process in worker_processes.started] == [
        -signal.SIGKILL if process is victim else 0 for process in worker_processes.started
    ], worker_processes.logs()

    # Every due step fired once, in order, each with one timeline event.
    fired = fired_by_ticket()
    assert {incident.pk: fired[incident.pk] for incident in incidents} == {
        incident.pk: EXPECTED_STEPS[incident.priority] for incident in incidents}
    events = Counter(TimelineEvent.objects.filter(
        subject_type="incident", kind="escalated").values_list("subject_id", flat=True))
    assert events == Counter({incident.pk: len(EXPECTED_STEPS[incident.priority])
                              for incident in incidents})

    # Every notification delivered, and received by the server exactly once.
    notifications = Notification.objects.all()
    assert set(notifications.values_list("status", flat=True)) == {"delivered"}
    received = Counter(header(mail, "Message-ID") for mail in mailbox.messages)
    assert len(mailbox.messages) == len(received) == notifications.count(), (
        {message_id: n for message_id, n in received.items() if n > 1},
        [line for line in worker_processes.logs().splitlines() if "taken over" in line])
    assert set(received) == set(notifications.values_list("message_id", flat=True))

    # The message the killed worker was sending was sent again by another.
    [abandoned] = DeliveryAttempt.objects.filter(outcome="abandoned")
    assert abandoned.worker.split("/")[1] == str(victim.pid)
    assert abandoned.notification.delivery_attempts.get(outcome="delivered").worker.split(
        "/")[1] != str(victim.pid)
    print(f"\n{TICKETS} tickets logged in {logging_seconds:.1f} s; {expected_escalations} "
          f"escalations and {notifications.count()} mails done by the workers in "
          f"{run_seconds:.1f} s")


def test_a_worker_killed_after_the_server_accepted_a_mail_causes_one_copy_with_its_message_id(
        tx_cast, smtp_server, worker_processes):
    # Resolved, so the SLA sweep has nothing to mail: only this one is sent.
    incident = tx_cast.log(requester=None)
    actions.resolve(incident, actor=tx_cast.lead_wang, source="web", expected_version=None,
                    closure_code="successful", solution="已重启服务")
    with transaction.atomic():
        [row] = outbox.enqueue(incident, event="escalated", recipients=[tx_cast.lead_wang],
                               context={"incident": incident, "reason": "P1 立即升级"})
    mailbox = smtp_server.mailbox
    mailbox.hold_at = "DATA"
    mailbox.gate.clear()
    worker_processes.env["OPSDESK_NOTIFY_LEASE_SECONDS"] = "2"

    victim = worker_processes.start("--interval", "0.2")
    wait_for(lambda: mailbox.held, timeout=30, what="the server to accept the mail")
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=10)
    mailbox.gate.set()
    worker_processes.start("--interval", "0.2")

    wait_for(lambda: Notification.objects.filter(pk=row.pk, status="delivered").exists(),
             timeout=30, what="the mail to be sent again")
    worker_processes.stop_all()
    assert [header(mail, "Message-ID") for mail in mailbox.messages] == [row.message_id] * 2
    row.refresh_from_db()
    assert row.attempts == 2
    assert list(row.delivery_attempts.order_by("pk").values_list("outcome", flat=True)) == [
        "abandoned", "delivered"]
