"""The worker's change handler: remind the change managers, once, of an
emergency change that was not recorded in time (CHG-04)."""

import logging

from django.db import transaction

from opsdesk.core import clock
from opsdesk.core.claims import claim

from . import actions
from .models import Change

log = logging.getLogger("opsdesk.changes")


class UnrecordedEmergencyReminder:
    name = "change-unrecorded-emergencies"

    def handle_one(self) -> bool:
        with transaction.atomic():
            due = Change.objects.filter(recorded_at__isnull=True, reminded_at__isnull=True,
                                        record_due_at__lte=clock.now())
            pks = claim(due, 1, order_by=("record_due_at", "pk"))
            if not pks:
                return False
            reminded = actions.remind_unrecorded(Change(pk=pks[0]))
        if reminded:
            log.info("%s: reminded the change managers of change %s", self.name, pks[0])
        return reminded


def handlers() -> list:
    return [UnrecordedEmergencyReminder()]
