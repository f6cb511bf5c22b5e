"""The worker's major-incident handler: remind the commander when a status
update is due and none was posted (one reminder per due time)."""

import logging
from datetime import timedelta

from django.db import transaction

from opsdesk.core import clock, outbox
from opsdesk.core.claims import claim

from .choices import Status, TeamRole
from .models import MajorIncident

log = logging.getLogger("opsdesk.major")


def next_due_after(due, interval: timedelta, now):
    """The first due time of the cadence after `now`: a worker that was down
    for hours sends one reminder, not one per missed due time."""
    missed = (now - due) // interval + 1
    return due + missed * interval


class RemindDueUpdates:
    name = "major-update-reminders"

    def handle_one(self) -> bool:
        with transaction.atomic():
            now = clock.now()
            due_rows = MajorIncident.objects.filter(status=Status.ACTIVE,
                                                    next_reminder_at__lte=now)
            pks = claim(due_rows, 1, order_by=("next_reminder_at", "pk"))
            if not pks:
                return False
            major = MajorIncident.objects.select_related("incident", "declared_by").get(
                pk=pks[0])
            due = major.next_reminder_at
            interval = timedelta(minutes=major.update_interval_minutes)
            # Compare-and-swap: an update posted meanwhile, or another worker
            # (SQLite has no SKIP LOCKED), moved the due time; then do nothing.
            taken = MajorIncident.objects.filter(
                pk=major.pk, status=Status.ACTIVE, next_reminder_at=due,
            ).update(next_reminder_at=next_due_after(due, interval, now))
            if not taken:
                return True
            commander = major.team.filter(role=TeamRole.COMMANDER).select_related("user").first()
            outbox.enqueue(major.incident, event="major_update_due",
                           recipients=[commander.user if commander else major.declared_by],
                           context={"incident": major.incident, "major": major, "due_at": due})
        log.info("%s: reminded the commander of %s", self.name, major.number)
        return True


def handlers() -> list:
    return [RemindDueUpdates()]
