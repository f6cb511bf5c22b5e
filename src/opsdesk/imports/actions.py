"""Writing imported histories: each ticket one incident, each source event
one timeline event at its original time (through core.timeline), the
incident's fields those of the last event.

New tickets are written in batches, each batch one durable transaction
(incidents and their ImportedRecord rows through bulk.insert, their
timeline events through record_many, a few statements each), so an
interrupted run loses nothing it committed and the next run carries on.
A ticket imported before gets only the events it has not seen, in a
transaction that locks the incident; if the incident was changed in OpsDesk
since, those events are reported instead of overwriting it.

Imported incidents have no SLA clocks (their deadlines passed long ago):
`resolve_breached` comes from the source (made_sla), the response time is
the first event that left "new"."""

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from opsdesk.core import clock, timeline
from opsdesk.core.counters import next_value
from opsdesk.core.models import TimelineEvent
from opsdesk.incidents.choices import Kind, Status
from opsdesk.incidents.models import Incident
from opsdesk.sla.priority import priority_for
from opsdesk.sla.queries import priority_matrix

from . import bulk
from .history import Event, Ticket
from .lookups import Lookups
from .models import ImportedRecord

BATCH_EVENTS = 5000
TRACKED = ("status", "waiting_on", "team", "assignee", "priority", "impact", "urgency",
           "category", "ci", "closure_code", "reassignment_count")
DONE = (Status.RESOLVED, Status.CLOSED)
TEXTS = ("description", "symptoms", "solution", "reporter_name", "reporter_email",
         "reporter_phone", "system_type", "failure_vendor")
SOURCE = "import"


@dataclass
class Summary:
    tickets_new: int = 0
    tickets_updated: int = 0
    tickets_unchanged: int = 0
    events_written: int = 0
    conflicts: list[str] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=dict)


@dataclass
class Plan:
    new: list[Ticket] = field(default_factory=list)
    # (ticket, its record, the events not applied yet)
    updates: list[tuple[Ticket, ImportedRecord, list[Event]]] = field(default_factory=list)
    unchanged: int = 0

    @property
    def events(self) -> int:
        return (sum(len(ticket.events) for ticket in self.new)
                + sum(len(events) for _t, _r, events in self.updates))


def plan(tickets: list[Ticket], source: str) -> Plan:
    """What an import would do, read-only."""
    result = Plan()
    keys = [ticket.key for ticket in tickets]
    records = {}
    for start in range(0, len(keys), 500):
        records.update(
            (record.external_number, record) for record in ImportedRecord.objects.filter(
                source=source, external_number__in=keys[start:start + 500]))
    for ticket in tickets:
        record = records.get(ticket.key)
        if record is None:
            result.new.append(ticket)
            continue
        fresh = unseen(ticket.events, record.event_digests)
        if fresh:
            result.updates.append((ticket, record, fresh))
        else:
            result.unchanged += 1
    return result


def unseen(events: list[Event], digests: list[str]) -> list[Event]:
    """The events not applied yet; a row repeated in the source counts as
    many times as it appears."""
    applied = Counter(digests)
    fresh = []
    for event in events:
        if applied[event.digest]:
            applied[event.digest] -= 1
        else:
            fresh.append(event)
    return fresh


class Writer:
    def __init__(self, source: str, lookups: Lookups,
                 progress: Callable[[int], None] = lambda done: None):
        self.source = source
        self.lookups = lookups
        self.progress = progress
        self.matrix = priority_matrix()
        self.summary = Summary()

    def run(self, work: Plan) -> Summary:
        with transaction.atomic(durable=True):
            self.summary.created = self.lookups.create()
        done = 0
        for batch in _batches(work.new):
            self._write_new(batch)
            done += sum(len(ticket.events) for ticket in batch)
            self.progress(done)
        for ticket, record, _events in work.updates:
            done += self._append(ticket, record)
            self.progress(done)
        self.summary.tickets_unchanged += work.unchanged
        return self.summary

    @transaction.atomic(durable=True)
    def _write_new(self, tickets: list[Ticket]) -> None:
        now = clock.now()
        incidents, changes, states = [], [], []
        for ticket in tickets:
            incident = bulk.new(Incident, {})
            ticket_changes, state = self._apply(incident, ticket.events, dict.fromkeys(TRACKED))
            incidents.append(incident)
            changes.append(ticket_changes)
            states.append(state)
        self._number(incidents)
        bulk.insert(incidents)
        bulk.insert([
            bulk.new(ImportedRecord, {
                "source": self.source, "external_number": ticket.key,
                "incident_id": incident.pk,
                "event_digests": [event.digest for event in ticket.events], "state": state,
                "incident_version": incident.version, "imported_at": now, "updated_at": now,
                **_record_fields(ticket.last)})
            for ticket, incident, state in zip(tickets, incidents, states, strict=True)])
        timeline.record_many([
            self._entry(incident, ticket.key, event, change)
            for ticket, incident, ticket_changes in zip(tickets, incidents, changes, strict=True)
            for event, change in zip(ticket.events, ticket_changes, strict=True)])
        self.summary.tickets_new += len(tickets)
        self.summary.events_written += sum(len(ticket.events) for ticket in tickets)

    @transaction.atomic(durable=True)
    def _append(self, ticket: Ticket, record: ImportedRecord) -> int:
        """Apply the events of `ticket` that `record` has not seen; re-read
        under lock, so two imports of the same file apply them once."""
        record = ImportedRecord.objects.select_for_update().get(pk=record.pk)
        incident = Incident.objects.select_for_update().get(pk=record.incident_id)
        events = unseen(ticket.events, record.event_digests)
        if not events:
            self.summary.tickets_unchanged += 1
            return 0
        if incident.version != record.incident_version:
            self.summary.conflicts.append(
                f"{ticket.key} ({incident.number}): {len(events)}")
            return 0
        changes, record.state = self._apply(incident, events, record.state)
        incident.version += 1
        incident.save()
        record.event_digests = [*record.event_digests, *(event.digest for event in events)]
        record.incident_version = incident.version
        record.updated_at = clock.now()
        for name, value in _record_fields(events[-1]).items():
            setattr(record, name, value)
        record.save()
        timeline.record_many([self._entry(incident, ticket.key, event, change)
                              for event, change in zip(events, changes, strict=True)])
        self.summary.tickets_updated += 1
        self.summary.events_written += len(events)
        return len(events)

    def _number(self, incidents: list[Incident]) -> None:
        """Numbers as every incident gets them, by registration day: one
        counter statement per day in the batch."""
        by_day = defaultdict(list)
        for incident in incidents:
            by_day[timezone.localdate(incident.registered_at)].append(incident)
        for day, todays in by_day.items():
            last = next_value(f"incident:{day:%Y%m%d}", step=len(todays))
            for sequence, incident in enumerate(todays, start=last - len(todays) + 1):
                incident.number = f"INC-{day:%Y%m%d}-{sequence:04d}"

    def _apply(self, incident: Incident, events: list[Event],
               previous: dict) -> tuple[list[dict], dict]:
        """Set the incident to the last event; return each event's changes
        (from `previous`, the tracked fields before the first) and the
        tracked fields after the last."""
        all_changes = []
        for event in events:
            current = self._state(event.values)
            all_changes.append({name: [previous[name], current[name]] for name in TRACKED
                                if previous[name] != current[name]})
            self._transitions(incident, previous, current, event)
            previous = current
        self._fields(incident, events[-1].values, previous, first_at=events[0].at)
        incident.updated_at = max(events[-1].at, incident.updated_at or events[-1].at)
        return all_changes, previous

    def _state(self, values: dict) -> dict:
        status, _sep, waiting_on = values["status"].partition(":")
        matrix_priority = priority_for(self.matrix, values["impact"], values["urgency"])
        return {
            "status": status, "waiting_on": waiting_on or None,
            "team": values.get("team"), "assignee": _person_name(values.get("assignee")),
            "priority": values.get("priority") or matrix_priority,
            "impact": values["impact"], "urgency": values["urgency"],
            "category": values.get("category"), "ci": values.get("ci"),
            "closure_code": values.get("closure_code") if status in DONE else None,
            "reassignment_count": values.get("reassignment_count"),
        }

    @staticmethod
    def _transitions(incident: Incident, previous: dict, current: dict, event: Event) -> None:
        """Times the source only shows as changes between events."""
        if current["status"] != Status.NEW and incident.responded_at is None:
            incident.responded_at = event.at
        if current["status"] == Status.IN_PROGRESS and previous["status"] != Status.IN_PROGRESS:
            incident.accepted_at = event.at
            incident.first_accepted_at = incident.first_accepted_at or event.at
        if current["team"] and current["team"] != previous["team"]:
            incident.assigned_at = event.at
        if current["status"] in DONE and previous["status"] not in DONE:
            incident.resolved_at = event.at
        if current["status"] == Status.CLOSED and previous["status"] != Status.CLOSED:
            incident.closed_at = event.at

    def _fields(self, incident: Incident, last: dict, state: dict, *, first_at) -> None:
        find = self.lookups.find
        incident.status, incident.waiting_on = state["status"], state["waiting_on"] or ""
        incident.kind = last.get("kind", Kind.FAULT)
        incident.channel = last["channel"]
        incident.title = last.get("title") or last["key"]
        for name in TEXTS:
            setattr(incident, name, last.get(name, ""))
        incident.impact, incident.urgency = last["impact"], last["urgency"]
        incident.matrix_priority = priority_for(self.matrix, last["impact"], last["urgency"])
        incident.priority = state["priority"]
        differs = incident.priority != incident.matrix_priority
        incident.priority_override = incident.priority if differs else None
        incident.priority_override_reason = (
            f"{self.source}: P{incident.priority}" if differs else "")
        team = find("team", state["team"]) if state["team"] else None
        incident.team_id = team.pk if team else None
        incident.assignee_id = (last.get("assignee") or (None, None))[1]
        for kind in ("category", "ci", "service"):
            known = find(kind, last[kind]) if last.get(kind) else None
            setattr(incident, f"{kind}_id", known.pk if known else None)
        customer = find("customer", last["customer"]) if last.get("customer") else None
        incident.customer_id = customer.pk if customer else None
        incident.is_vip = bool(customer and customer.vip)
        registered = last.get("registered_at") or last.get("occurred_at")
        incident.registered_at = registered or incident.registered_at or first_at
        incident.occurred_at = last.get("occurred_at") or incident.registered_at
        incident.reassignment_count = last.get("reassignment_count",
                                               incident.reassignment_count or 0)
        if "made_sla" in last:
            incident.resolve_breached = not last["made_sla"]
        if "resolve_breached" in last:
            incident.resolve_breached = last["resolve_breached"]
        done = incident.status in DONE
        incident.closure_code = state["closure_code"] or ""
        incident.resolved_at = (last.get("resolved_at") or incident.resolved_at) if done else None
        incident.closed_at = ((last.get("closed_at") or incident.closed_at)
                              if incident.status == Status.CLOSED else None)
        incident.resolved_by_id = (last.get("resolved_by") or (None, None))[1] if done else None
        incident.resolved_team_id = team.pk if done and team else None
        incident.resolver_role = team.tier if done and team else ""

    def _entry(self, incident: Incident, key: str, event: Event, changes: dict):
        actor_name, actor_id = event.values.get("actor") or ("", None)
        note = " · ".join(part for part in (f"{self.source} {key}", event.source_status,
                                            actor_name) if part)
        # What timeline.entry makes, at the event's time and by its actor.
        return bulk.new(TimelineEvent, {
            "subject_type": incident.TIMELINE_TYPE, "subject_id": incident.pk, "at": event.at,
            "actor_id": actor_id, "source": SOURCE, "kind": "imported", "changes": changes,
            "note": note})


def _record_fields(event: Event) -> dict:
    return {"reopen_count": event.values.get("reopen_count", 0),
            "used_knowledge": event.values.get("used_knowledge", False)}


def _person_name(person) -> str | None:
    return person[0] if person else None


def _batches(tickets: list[Ticket]):
    """Runs of tickets of about BATCH_EVENTS events."""
    iterator = iter(tickets)
    while True:
        batch, events = [], 0
        for ticket in iterator:
            batch.append(ticket)
            events += len(ticket.events)
            if events >= BATCH_EVENTS:
                break
        if not batch:
            return
        yield batch

