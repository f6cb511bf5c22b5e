"""Steps every incident action shares: lock and version check, save with a
version bump, field helpers, and firing escalations that fell due."""

from datetime import datetime

from django.utils import timezone

from opsdesk.core import clock, outbox
from opsdesk.core.counters import next_value
from opsdesk.core.errors import Invalid, VersionConflict
from opsdesk.sla.choices import Impact, Urgency
from opsdesk.sla.priority import priority_for
from opsdesk.sla.queries import priority_matrix

from .. import escalations, rules
from ..choices import (
    Status,
)
from ..models import Incident
from ..validation import (
    choice,
    optional_text,
)


def number_for(when: datetime) -> str:
    day = timezone.localdate(when)
    sequence = next_value(f"incident:{day:%Y%m%d}")
    return f"INC-{day:%Y%m%d}-{sequence:04d}"


def priority_fields(impact, urgency, errors) -> dict:
    impact = choice(impact, Impact, "impact", errors)
    urgency = choice(urgency, Urgency, "urgency", errors)
    if impact is None or urgency is None:
        return {}
    matrix_priority = priority_for(priority_matrix(), impact, urgency)
    return {
        "impact": impact, "urgency": urgency, "matrix_priority": matrix_priority,
        "priority": matrix_priority,
    }


def locked(incident: Incident, expected_version: int | None) -> Incident:
    """Re-read the row under lock, refusing a stale edit (principle 5)."""
    current = Incident.objects.select_for_update().get(pk=incident.pk)
    if current.status == Status.CLOSED:
        raise rules.IncidentClosed()
    if expected_version is not None and current.version != expected_version:
        raise VersionConflict()
    return current


def valid_note(note) -> str:
    errors = {}
    note = optional_text(note, "note", 5000, errors)
    if errors:
        raise Invalid(fields=errors)
    return note


def save(incident: Incident, fields: list[str], *, bump: bool = True) -> None:
    incident.updated_at = clock.now()
    if bump:
        incident.version += 1
        fields = [*fields, "version"]
    incident.save(update_fields=[*fields, "updated_at"])


def label(obj) -> str | None:
    return None if obj is None else str(obj)


def json_safe(diff: dict) -> dict:
    return {
        key: [v.isoformat() if isinstance(v, datetime) else v for v in pair]
        for key, pair in diff.items()
    }


def escalate_if_due(incident: Incident) -> None:
    """Within an action: fire what fell due with it (a priority 1 ticket at
    once), as the system rather than the user who acted."""
    now = clock.now()
    if incident.next_escalation_at is not None and incident.next_escalation_at <= now:
        escalations.fire_due(incident, actor=None, source="system", now=now)


def tell_requester(incident: Incident, *, actor, template: str, **context) -> None:
    """INC-18: the requester hears of status changes and public replies, in
    this transaction: the user if there is one, else the reporter's address.
    The outbox never tells the actor about their own action."""
    recipient = incident.requester if incident.requester_id else incident.reporter_email
    if not recipient:
        return
    outbox.enqueue(incident, event=template, template=template, recipients=[recipient],
                   context={"incident": incident, **context}, actor=actor)


def status_changed(incident: Incident, old_status: str, *, actor, note: str = "") -> None:
    tell_requester(incident, actor=actor, template="status_changed",
                   old_status=Status(old_status).label, note=note)
