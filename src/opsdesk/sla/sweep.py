"""The SLA sweep: the worker handler that fires escalations as they fall due.

Each call claims a small batch of open incidents whose `next_escalation_at`
has come and fires their due steps set-wise (`escalations.fire_many`). The
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
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils.translation import gettext as _

from opsdesk.core import clock
from opsdesk.core.claims import claim
from opsdesk.core.health import Reading
from opsdesk.incidents.choices import Status
from opsdesk.incidents.escalations import fire_many
from opsdesk.incidents.models import Incident

log = logging.getLogger("opsdesk.sla")

# A step may be this late before `opsdesk check` calls the sweep stuck.
ALLOWED_DELAY = timedelta(minutes=1)
# How long a worker leaves an incident whose escalation failed before it tries again.
RETRY_FAILED_AFTER = timedelta(minutes=5)


def open_incidents():
    return Incident.objects.exclude(status=Status.CLOSED)


def claim_due(now, limit: int, *, skip: Iterable[int] = ()) -> list[int]:
    """Lock up to `limit` due incidents, the longest overdue first."""
    due = open_incidents().filter(next_escalation_at__lte=now)
    if skip:
        due = due.exclude(pk__in=list(skip))
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


# What firing reads (the SLA clocks, the flags it sets) and what the
# escalation notices show (templates/notifications/*/escalated.*,
# incident_logged_p1.*): 21 of the incident's ~75 columns, which made loading
# a batch a quarter cheaper. A notice that shows another field still works,
# with one more query per incident.
ESCALATION_FIELDS = (
    "number", "title", "description", "priority", "status", "waiting_on", "customer",
    "team", "assignee", "registered_at", "response_due_at", "responded_at", "resolve_due_at",
    "resolved_at", "sla_paused_seconds", "reassignment_count", "sla_snapshot",
    "next_escalation_at", "response_breached", "resolve_breached", "major_incident_offered",
)


def _fire(incident_ids: list[int], now) -> int:
    incidents = list(Incident.objects.filter(pk__in=incident_ids).only(*ESCALATION_FIELDS)
                     .select_related("team", "assignee").order_by("next_escalation_at", "pk"))
    return len(fire_many(incidents, actor=None, source="worker", now=now))


class SlaSweep:
    """Fires a claimed batch set-wise (`escalations.fire_many`). If that
    fails, it fires the batch again one incident at a time, each in a
    savepoint: one broken incident (a bug, a snapshot that cannot be read)
    must not hold back the others' escalations. The broken one is logged
    and left alone for RETRY_FAILED_AFTER by this worker; its
    `next_escalation_at` stays, so `opsdesk check` reports it overdue. The
    worker keeps that in memory only: one that restarts tries it once more."""

    name = "sla-sweep"
    # Firing costs a constant number of statements per batch: bigger batches
    # cost less per incident (bench/README.md, SLA).
    batch_size = 100

    def __init__(self):
        self.failing: dict[int, datetime] = {}  # incident id → when to try it again

    def handle_one(self) -> bool:
        now = clock.now()
        self.failing = {pk: until for pk, until in self.failing.items() if until > now}
        with transaction.atomic():
            claimed = claim_due(now, self.batch_size, skip=self.failing)
            if not claimed:
                return False
            try:
                with transaction.atomic():
                    fired = _fire(claimed, now)
            except Exception:
                log.warning("%s: a batch of %d failed; firing them one by one", self.name,
                            len(claimed), exc_info=True)
                fired = self._one_by_one(claimed, now)
        log.info("%s: %d incidents due, %d steps fired", self.name, len(claimed), fired)
        return True

    def _one_by_one(self, claimed: list[int], now: datetime) -> int:
        fired = 0
        for pk in claimed:
            try:
                with transaction.atomic():
                    fired += _fire([pk], now)
            except Exception:
                log.exception("%s: escalating incident id %s failed; trying again after %s",
                              self.name, pk, RETRY_FAILED_AFTER)
                self.failing[pk] = now + RETRY_FAILED_AFTER
        return fired


def health_readings() -> list[Reading]:
    overdue = open_incidents().filter(
        next_escalation_at__lt=clock.now() - ALLOWED_DELAY).count()
    return [Reading(_("Incidents overdue but not escalated"), str(overdue), ok=overdue == 0,
                    hint=_("is the worker running?"))]
