"""The SLA sweep: the worker handler that fires escalations as they fall due.

Each call claims a small batch of open incidents whose `next_escalation_at`
has come and fires their due steps through the escalate action's body. The
claim walks the partial index on `next_escalation_at` in its order and stops
after the batch, so a call's cost follows the batch, not how many tickets are
open or due (ordered by primary key, every call would read and sort all the
due rows: quadratic in a backlog, and at risk of a plan that walks the
primary key through every open ticket). After downtime the first calls find
every ticket whose steps were missed and fire them in order, once each; the
unique Escalation key makes a second worker, or a retry after a crash, fire
nothing twice.
"""

import contextlib
import logging
from datetime import timedelta

from django.db import connection, transaction
from django.utils.translation import gettext as _

from opsdesk.core import clock
from opsdesk.core.claims import claim
from opsdesk.core.health import Reading
from opsdesk.incidents.choices import Status
from opsdesk.incidents.escalations import Audience, fire_due, fired_keys_of
from opsdesk.incidents.models import Incident

log = logging.getLogger("opsdesk.sla")

# A step may be this late before `opsdesk check` calls the sweep stuck.
ALLOWED_DELAY = timedelta(minutes=1)


def open_incidents():
    return Incident.objects.exclude(status=Status.CLOSED)


def claim_due(now, limit: int) -> list[int]:
    """Lock up to `limit` due incidents, the longest overdue first."""
    due = open_incidents().filter(next_escalation_at__lte=now)
    with _index_in_order():
        return claim(due, limit, order_by=("next_escalation_at",))


@contextlib.contextmanager
def _index_in_order():
    # When its statistics say few rows are due (they are stale after a burst,
    # or after downtime) PostgreSQL plans the claim as a bitmap scan of every
    # due row and a sort: each claim then costs the whole backlog. Walking
    # the index in order stops after the batch.
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        try:
            yield
        finally:
            cursor.execute("RESET enable_bitmapscan")


class SlaSweep:
    name = "sla-sweep"
    batch_size = 20

    def handle_one(self) -> bool:
        now = clock.now()
        with transaction.atomic():
            claimed = claim_due(now, self.batch_size)
            incidents = Incident.objects.filter(pk__in=claimed).select_related("team").order_by(
                "next_escalation_at", "pk")
            fired_before, audience = fired_keys_of(claimed), Audience()
            fired = sum(len(fire_due(incident, actor=None, source="worker", now=now,
                                     fired_before=fired_before[incident.pk], audience=audience))
                        for incident in incidents)
        if claimed:
            log.info("%s: %d incidents due, %d steps fired", self.name, len(claimed), fired)
        return bool(claimed)


def health_readings() -> list[Reading]:
    overdue = open_incidents().filter(
        next_escalation_at__lt=clock.now() - ALLOWED_DELAY).count()
    return [Reading(_("Incidents overdue but not escalated"), str(overdue), ok=overdue == 0,
                    hint=_("is the worker running?"))]
