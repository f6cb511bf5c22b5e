"""Several worker processes share the outbox: each row is sent once."""

import subprocess
from collections import Counter

from django.db import transaction

from opsdesk.core import outbox
from opsdesk.core.models import DeliveryAttempt, Notification
from opsdesk.incidents import actions

from ..cli.conftest import OPSDESK
from .conftest import header


def test_two_worker_processes_deliver_each_of_200_mails_exactly_once(tx_cast, shared_db,
                                                                     smtp_server):
    smtp_server.mailbox.delay = 0.01
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
    env = {**shared_db, "OPSDESK_EMAIL_HOST": "127.0.0.1",
           "OPSDESK_EMAIL_PORT": str(smtp_server.port)}

    workers = [subprocess.Popen([str(OPSDESK), "worker", "--once"], env=env, text=True,
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
               for _worker in range(2)]
    for worker in workers:
        _out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err

    received = Counter(header(mail, "Message-ID") for mail in smtp_server.messages)
    assert len(smtp_server.messages) == 200
    assert set(received) == {row.message_id for row in rows}
    assert set(received.values()) == {1}
    assert set(Notification.objects.values_list("status", flat=True)) == {"delivered"}
    attempts = DeliveryAttempt.objects.all()
    assert attempts.count() == 200
    assert set(attempts.values_list("outcome", flat=True)) == {"delivered"}
    # Both processes took part (the slow server keeps either from finishing alone).
    assert len({name.split("/")[1] for name in attempts.values_list("worker", flat=True)}) == 2
