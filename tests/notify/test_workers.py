"""Several worker processes share the outbox: each row is sent once."""

from collections import Counter

from django.db import transaction

from opsdesk.core import outbox
from opsdesk.core.models import DeliveryAttempt, Notification
from opsdesk.incidents import actions

from .conftest import header, wait_for


def test_two_worker_processes_deliver_each_of_200_mails_exactly_once(tx_cast, smtp_server,
                                                                     worker_processes):
    mailbox = smtp_server.mailbox
    mailbox.delay = 0.01
    # No requester to tell of the resolution, and logged a day before the
    # workers' real clock: resolve it, so the SLA sweep has no escalation to
    # mail and only the 200 queued here are sent.
    incident = tx_cast.log(requester=None)
    actions.resolve(incident, actor=tx_cast.lead_wang, source="web", expected_version=None,
                    closure_code="successful", solution="已重启服务")
    with transaction.atomic():
        rows = outbox.enqueue(incident, event="escalated",
                              recipients=[f"duty{n}@example.cn" for n in range(200)],
                              context={"incident": incident, "reason": "P1 立即升级"})

    # The server holds each worker's first mail until the other is sending
    # too: however late one of them starts, the other cannot finish alone.
    # Held that long, a send must not time out (the lease stays far longer).
    worker_processes.env["OPSDESK_EMAIL_TIMEOUT"] = "120"
    mailbox.gate.clear()
    workers = [worker_processes.start("--once") for _worker in range(2)]
    wait_for(lambda: len(set(mailbox.held)) == 2, timeout=90,
             what="both workers to be sending", state=worker_processes.logs)
    mailbox.gate.set()
    for worker in workers:
        assert worker.wait(timeout=120) == 0, worker_processes.logs()

    received = Counter(header(mail, "Message-ID") for mail in smtp_server.messages)
    assert len(smtp_server.messages) == 200
    assert set(received) == {row.message_id for row in rows}
    assert set(received.values()) == {1}
    assert set(Notification.objects.values_list("status", flat=True)) == {"delivered"}
    attempts = DeliveryAttempt.objects.all()
    assert attempts.count() == 200
    assert set(attempts.values_list("outcome", flat=True)) == {"delivered"}
    assert len({name.split("/")[1] for name in attempts.values_list("worker", flat=True)}) == 2
