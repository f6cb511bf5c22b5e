"""On-site support (seed 004 §5.11, 规定时间内到达客户现场): the engineer
dispatched to the customer records when they got there. The KPIs compare it
with the arrival deadline set when the on-site team got the incident."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opsdesk.core import clock, timeline
from opsdesk.core.errors import Forbidden, Invalid, TransitionNotAllowed

from .. import rules, stints
from ..choices import Action
from ..models import Incident
from ..validation import optional_text, within_past
from ._base import locked, save


def _shown(when: datetime) -> str:
    return timezone.localtime(when).strftime("%Y-%m-%d %H:%M:%S")


@transaction.atomic(durable=True)
def record_arrival(incident: Incident, *, actor, source: str, expected_version: int | None,
                   arrived_at: datetime | None = None, note: str = "") -> Incident:
    """Record that the on-site engineer reached the customer, at `arrived_at`
    (default now): never in the future, nor before the dispatch, nor after
    the on-site team gave the incident up. Recorded once per dispatch."""
    incident = locked(incident, expected_version)
    rules.check(Action.ARRIVE, incident, actor)
    stint = stints.awaiting_arrival(incident, lock=True)
    if stint is None:
        raise TransitionNotAllowed(_("No on-site dispatch of this incident is waiting for "
                                     "an arrival to be recorded."))
    if not rules.may_record_arrival(actor, stint.team):
        raise Forbidden(_("Only the engineers of %(team)s, their lead or a manager may record "
                          "the arrival.") % {"team": stint.team})
    errors = {}
    note = optional_text(note, "note", 5000, errors)
    now = clock.now()
    arrived_at = within_past(arrived_at or now, "arrived_at", now, errors)
    if arrived_at is not None and arrived_at < stint.started_at:
        errors["arrived_at"] = _("The engineer was dispatched at %(when)s: the arrival cannot "
                                 "be earlier.") % {"when": _shown(stint.started_at)}
    elif arrived_at is not None and stint.ended_at and arrived_at > stint.ended_at:
        errors["arrived_at"] = _("%(team)s gave the incident up at %(when)s: the arrival "
                                 "cannot be later.") % {"team": stint.team,
                                                        "when": _shown(stint.ended_at)}
    if errors:
        raise Invalid(fields=errors)
    stint.arrived_at = arrived_at
    stint.save(update_fields=["arrived_at"])
    save(incident, [], bump=False)
    changes = {"arrived_at": [None, arrived_at.isoformat()]}
    if stint.arrival_due_at is not None:
        changes["arrival_due_at"] = [None, stint.arrival_due_at.isoformat()]
        changes["arrived_in_time"] = [None, arrived_at <= stint.arrival_due_at]
    timeline.record(incident, actor=actor, source=source, kind="arrived_on_site",
                    changes=changes, note=note)
    return incident
