"""The SLA sweep: the worker handler that fires escalations as they fall due.

Each call claims a small batch of open incidents whose `next_escalation_at`
has come (an indexed range, so the cost follows what is due, not how many
tickets are open) and fires their due steps through the escalate action's
body. After downtime the first calls find every ticket whose steps were
missed and fire them in order, once each; the unique Escalation key makes a
second worker, or a retry after a crash, fire nothing twice.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from opsdesk.core import clock
from opsdesk.core.claims import claim
from opsdesk.core.health import Reading
from opsdesk.incidents.choices import Status
from opsdesk.incidents.escalations import fire_due
from opsdesk.incidents.models import Incident

log = logging.getLogger("opsdesk.sla")

# A step may be this late before `opsdesk check` calls the sweep stuck.
ALLOWED_DELAY = timedelta(minutes=1)


def open_incidents():
    return Incident.objects.exclude(status=Status.CLOSED)


class SlaSweep:
    name = "sla-sweep"
    batch_size = 20

    def handle_one(self) -> bool:
        now = clock.now()
        with transaction.atomic():
            claimed = claim(open_incidents().filter(next_escalation_at__lte=now),
                            self.batch_size)
            incidents = Incident.objects.filter(pk__in=claimed).select_related("team").order_by(
                "next_escalation_at", "pk")
            fired = sum(len(fire_due(incident, actor=None, source="worker", now=now))
                        for incident in incidents)
        if claimed:
            log.info("%s: %d incidents due, %d steps fired", self.name, len(claimed), fired)
        return bool(claimed)


def health_readings() -> list[Reading]:
    overdue = open_incidents().filter(
        next_escalation_at__lt=clock.now() - ALLOWED_DELAY).count()
    return [Reading(_("Incidents overdue but not escalated"), str(overdue), ok=overdue == 0,
                    hint=_("is the worker running?"))]
