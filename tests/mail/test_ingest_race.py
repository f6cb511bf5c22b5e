"""The same mail delivered twice at the same moment (two MTA pipes, or a
worker and a re-delivery) on two database connections: one row, one
incident, one answer."""

import threading

import pytest
from django.db import connection

from opsdesk.core.models import Notification
from opsdesk.incidents.models import Incident
from opsdesk.mail.ingest import ingest
from opsdesk.mail.models import InboundMessage, Mailbox, Outcome

from .conftest import DESK_ADDRESS, mail


@pytest.mark.postgres_only
def test_concurrent_deliveries_of_one_mail_make_one_incident(tx_cast):
    mailbox = Mailbox.objects.create(name="servicedesk", address=DESK_ADDRESS,
                                     team=tx_cast.desk)
    raws = [mail(message_id=f"<race-{n}@customer.example.com>", subject=f"并发 {n}")
            for n in range(5)]
    start, results, errors = threading.Barrier(4), [], []

    def deliver():
        try:
            start.wait()
            for raw in raws:
                results.append(ingest(mailbox, raw))
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert len(results) == 20
    assert InboundMessage.objects.count() == 5
    assert Incident.objects.count() == 5
    assert set(InboundMessage.objects.values_list("outcome", flat=True)) == {Outcome.CREATED}
    assert Notification.objects.filter(event="mail_received").count() == 5
