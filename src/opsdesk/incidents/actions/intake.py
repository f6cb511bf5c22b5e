"""Logging a new incident (事件受理)."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from opsdesk.core import clock, idempotency, timeline
from opsdesk.core.errors import Invalid
from opsdesk.core.models import Contract

from .. import clocks
from ..choices import (
    Channel,
    Kind,
    Status,
)
from ..models import Incident
from ..validation import (
    choice,
    text_fields,
    within_past,
)
from ._base import (
    escalate_if_due,
    number_for,
    priority_fields,
)


def _default_contract(customer, today):
    if customer is None:
        return None
    active = list(
        Contract.objects.filter(customer=customer, starts_on__lte=today, ends_on__gte=today)
        .order_by()[:2]
    )
    return active[0] if len(active) == 1 else None


@transaction.atomic(durable=True)
def log_incident(
    *,
    actor,
    source: str,
    title: str,
    kind: str,
    channel: str,
    impact: str,
    urgency: str,
    description: str = "",
    symptoms: str = "",
    category=None,
    system_type: str = "",
    ci=None,
    service=None,
    customer=None,
    contract=None,
    requester=None,
    reporter_name: str = "",
    reporter_email: str = "",
    reporter_phone: str = "",
    occurred_at: datetime | None = None,
    idempotency_key: str | None = None,
    idempotency_digest: str = "",
) -> Incident:
    """Register a new incident (事件受理). Anyone signed in may log one; a
    requester always logs it for themself and their own organisation.

    With an `idempotency_key`, a request the same user already made returns
    the incident it made, marked `replayed`; safe when both run at once."""
    now = clock.now()
    claim = None
    if idempotency_key:
        claim = idempotency.claim(actor, idempotency_key, idempotency_digest, now)
        if claim is None:
            number = idempotency.earlier_result(actor, idempotency_key, idempotency_digest)
            incident = Incident.objects.get(number=number)
            incident.replayed = True
            return incident
    errors = {}
    fields = {
        **text_fields({"title": title, "description": description, "symptoms": symptoms,
                       "system_type": system_type, "reporter_name": reporter_name,
                       "reporter_email": reporter_email, "reporter_phone": reporter_phone},
                      errors),
        "kind": choice(kind, Kind, "kind", errors),
        "channel": choice(channel, Channel, "channel", errors),
        **priority_fields(impact, urgency, errors),
    }
    occurred_at = within_past(occurred_at or now, "occurred_at", now, errors)
    if actor.is_requester:
        requester, customer = actor, actor.customer
    if errors:
        raise Invalid(fields=errors)
    incident = Incident(
        **fields,
        category=category,
        ci=ci,
        service=service,
        customer=customer,
        contract=contract or _default_contract(customer, timezone.localdate(now)),
        is_vip=bool(customer and customer.is_vip),
        requester=requester,
        occurred_at=occurred_at,
        registered_at=now,
        updated_at=now,
        created_by=actor,
    )
    if requester is not None and not incident.reporter_name:
        incident.reporter_name = str(requester)
        incident.reporter_email = incident.reporter_email or requester.email
        incident.reporter_phone = incident.reporter_phone or requester.phone
    # The day's counter row stays locked until this transaction commits and
    # every create waits for it: take the number last, after all the reading.
    clocks.start(incident)
    incident.number = number_for(now)
    incident.save(force_insert=True)
    if claim is not None:
        idempotency.record_result(claim, incident.number)
    timeline.record(
        incident, actor=actor, source=source, kind="logged", public=True,
        changes={"status": [None, Status.NEW], "priority": [None, incident.priority]},
    )
    escalate_if_due(incident)
    incident.replayed = False
    return incident
