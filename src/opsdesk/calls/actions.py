"""Recording calls: one or many in one durable transaction, idempotent by
(source, external_id). A call seen again is updated to what the telephony
system says now (a call posted when offered and again when it ended), and
left alone when nothing differs."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from opsdesk.core.errors import Forbidden, Invalid
from opsdesk.core.models import Customer, User
from opsdesk.incidents.models import Incident

from . import rules
from .models import CallRecord, Direction

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


@dataclass
class CallDraft:
    """A call as the caller gave it, with names not yet looked up."""

    source: str
    external_id: str
    offered_at: datetime | None
    direction: str = Direction.INBOUND
    caller_number: str = ""
    caller_name: str = ""
    customer: str = ""
    answered_at: datetime | None = None
    answer_seconds: int | None = None
    ended_at: datetime | None = None
    agent: str = ""
    agent_name: str = ""
    incident: str = ""


STORED = ("source", "external_id", "direction", "caller_number", "caller_name", "customer_id",
          "offered_at", "answered_at", "answer_seconds", "ended_at", "agent_id", "agent_name",
          "incident_id")
LIMITS = {"source": 40, "external_id": 100, "caller_number": 40, "caller_name": 100,
          "agent_name": 100}


def check(drafts: list[CallDraft]) -> tuple[list[CallRecord], dict[int, dict]]:
    """Unsaved records for the drafts, and the errors of each draft by its
    index (by field name). Names are looked up in one query per kind."""
    names = {kind: {getattr(d, kind) for d in drafts if getattr(d, kind)}
             for kind in ("customer", "agent", "incident")}
    customers = {}
    for customer in Customer.objects.filter(Q(code__in=names["customer"])
                                            | Q(name__in=names["customer"])):
        customers.setdefault(customer.code, customer)
        customers.setdefault(customer.name, customer)
    agents = {user.username: user for user in User.objects.filter(
        username__in=names["agent"], is_active=True)}
    incidents = dict(Incident.objects.filter(number__in=names["incident"])
                     .values_list("number", "pk"))
    seen, records, errors = set(), [], {}
    for index, draft in enumerate(drafts):
        problems = _problems(draft, customers, agents, incidents)
        key = (draft.source, draft.external_id)
        if key in seen:
            problems["external_id"] = _("This call appears more than once.")
        seen.add(key)
        if problems:
            errors[index] = problems
            continue
        answered_at, answer_seconds = _answer(draft)
        customer, agent = customers.get(draft.customer), agents.get(draft.agent)
        records.append(CallRecord(
            source=draft.source, external_id=draft.external_id, direction=draft.direction,
            caller_number=draft.caller_number, caller_name=draft.caller_name,
            customer_id=customer.pk if customer else None, offered_at=draft.offered_at,
            answered_at=answered_at, answer_seconds=answer_seconds, ended_at=draft.ended_at,
            agent_id=agent.pk if agent else None,
            agent_name=draft.agent_name or (str(agent) if agent else ""),
            incident_id=incidents.get(draft.incident)))
    return records, errors


def _problems(draft: CallDraft, customers, agents, incidents) -> dict:
    problems = {}
    for name in ("source", "external_id"):
        if not getattr(draft, name).strip():
            problems[name] = _("This field is required.")
    for name, limit in LIMITS.items():
        if len(getattr(draft, name)) > limit:
            problems[name] = _("Too long.")
    if draft.direction not in Direction.values:
        problems["direction"] = _("Choose one of: %(options)s.") % {
            "options": ", ".join(Direction.values)}
    if draft.offered_at is None:
        problems["offered_at"] = _("This field is required.")
    else:
        for name in ("answered_at", "ended_at"):
            value = getattr(draft, name)
            if value is not None and value < draft.offered_at:
                problems[name] = _("Cannot be before the call was offered.")
    if draft.answer_seconds is not None and draft.answer_seconds < 0:
        problems["answer_seconds"] = _("Must be at least %(n)s.") % {"n": 0}
    for name, known, message in (
            ("customer", customers, _("No customer with this code or name.")),
            ("agent", agents, _("No active user with this login name.")),
            ("incident", incidents, _("No incident with this number."))):
        if getattr(draft, name) and getattr(draft, name) not in known:
            problems[name] = message
    return problems


def _answer(draft: CallDraft) -> tuple[datetime | None, int | None]:
    """The answer time and delay, each from the other when only one is given."""
    if draft.answered_at is not None:
        return draft.answered_at, int((draft.answered_at - draft.offered_at).total_seconds())
    if draft.answer_seconds is not None:
        return draft.offered_at + timedelta(seconds=draft.answer_seconds), draft.answer_seconds
    return None, None


def record_calls(drafts: list[CallDraft], *, actor,
                 dry_run: bool = False) -> list[tuple[CallRecord, str]]:
    """Store the calls; each comes back with created, updated or unchanged
    (a dry run says what would happen and stores nothing). Any invalid draft
    refuses the whole batch (Invalid, fields named "<index>.<field>")."""
    if not rules.may_record(actor):
        raise Forbidden(_("Only service staff may record calls."))
    records, errors = check(drafts)
    if errors:
        raise Invalid(fields={f"{index}.{name}": message for index, problems in errors.items()
                              for name, message in problems.items()})
    if dry_run:
        return list(_outcomes(records, _existing(records, lock=False)))
    try:
        return _store(records)
    except IntegrityError:
        # Another request stored one of these calls between our read and our
        # insert: read again, and it is an update like any other.
        return _store(records)


def _existing(records: list[CallRecord], *, lock: bool) -> dict:
    wanted = Q()
    for source in {record.source for record in records}:
        wanted |= Q(source=source, external_id__in=[r.external_id for r in records
                                                    if r.source == source])
    rows = CallRecord.objects.filter(wanted)
    if lock:
        rows = rows.select_for_update()
    return {(row.source, row.external_id): row for row in rows}


def _outcomes(records: list[CallRecord], existing: dict):
    """(the record to keep, what happens to it)."""
    for record in records:
        stored = existing.get((record.source, record.external_id))
        if stored is None:
            yield record, CREATED
        elif all(getattr(stored, name) == getattr(record, name) for name in STORED):
            yield stored, UNCHANGED
        else:
            for name in STORED:
                setattr(stored, name, getattr(record, name))
            yield stored, UPDATED


@transaction.atomic(durable=True)
def _store(records: list[CallRecord]) -> list[tuple[CallRecord, str]]:
    results = list(_outcomes(records, _existing(records, lock=True)))
    CallRecord.objects.bulk_create([record for record, outcome in results
                                    if outcome == CREATED])
    CallRecord.objects.bulk_update([record for record, outcome in results if outcome == UPDATED],
                                   [name for name in STORED
                                    if name not in ("source", "external_id")])
    return results
