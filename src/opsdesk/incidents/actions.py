"""Every change to an incident goes through a function here.

Each entry point runs in one durable transaction: it locks the row, checks
the rule (rules.check) and the caller's version, writes with update_fields,
and appends a timeline event that says who, through what and why. Views, the
API, the CLI and the demo loader all call these; nothing else writes
incidents.
"""

from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from opsdesk.core import clock, idempotency, timeline
from opsdesk.core.choices import Tier
from opsdesk.core.counters import next_value
from opsdesk.core.errors import Invalid, VersionConflict
from opsdesk.core.models import Contract
from opsdesk.sla import rules as escalation_rules
from opsdesk.sla.choices import Impact, Urgency
from opsdesk.sla.priority import priority_for
from opsdesk.sla.queries import priority_matrix

from . import clocks, escalations, rules
from .choices import (
    PROBLEM_CLOSURE_CODES,
    UNRESOLVED_STATUSES,
    Action,
    Channel,
    ClosureCode,
    Kind,
    Status,
    WaitingOn,
)
from .models import Attachment, Incident
from .validation import (
    TEXT_FIELDS,
    choice,
    optional_text,
    required_text,
    text_fields,
    within_past,
)

# Fields copied onto the new incident when a requester rejects a resolution.
COPIED_FIELDS = (
    "kind", "channel", "title", "description", "symptoms", "requester", "reporter_name",
    "reporter_email", "reporter_phone", "customer", "contract", "is_vip", "occurred_at",
    "category", "system_type", "ci", "service", "impact", "urgency", "matrix_priority",
    "priority", "priority_override", "priority_override_reason", "priority_override_by",
    "priority_override_at",
)
EDITABLE_FIELDS = (
    "title", "description", "symptoms", "kind", "category", "system_type", "ci", "service",
    "customer", "contract", "impact", "urgency", "reporter_name", "reporter_email",
    "reporter_phone", "occurred_at", "failure_vendor",
)


def _number_for(when: datetime) -> str:
    day = timezone.localdate(when)
    sequence = next_value(f"incident:{day:%Y%m%d}")
    return f"INC-{day:%Y%m%d}-{sequence:04d}"


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
        **_priority_fields(impact, urgency, errors),
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
    incident.number = _number_for(now)
    incident.save(force_insert=True)
    if claim is not None:
        idempotency.record_result(claim, incident.number)
    timeline.record(
        incident, actor=actor, source=source, kind="logged", public=True,
        changes={"status": [None, Status.NEW], "priority": [None, incident.priority]},
    )
    _escalate_if_due(incident)
    incident.replayed = False
    return incident


def _priority_fields(impact, urgency, errors) -> dict:
    impact = choice(impact, Impact, "impact", errors)
    urgency = choice(urgency, Urgency, "urgency", errors)
    if impact is None or urgency is None:
        return {}
    matrix_priority = priority_for(priority_matrix(), impact, urgency)
    return {
        "impact": impact, "urgency": urgency, "matrix_priority": matrix_priority,
        "priority": matrix_priority,
    }


def _locked(incident: Incident, expected_version: int | None) -> Incident:
    """Re-read the row under lock, refusing a stale edit (principle 5)."""
    current = Incident.objects.select_for_update().get(pk=incident.pk)
    if current.status == Status.CLOSED:
        raise rules.IncidentClosed()
    if expected_version is not None and current.version != expected_version:
        raise VersionConflict()
    return current


def _valid_note(note) -> str:
    errors = {}
    note = optional_text(note, "note", 5000, errors)
    if errors:
        raise Invalid(fields=errors)
    return note


def _save(incident: Incident, fields: list[str], *, bump: bool = True) -> None:
    incident.updated_at = clock.now()
    if bump:
        incident.version += 1
        fields = [*fields, "version"]
    incident.save(update_fields=[*fields, "updated_at"])


def _label(obj) -> str | None:
    return None if obj is None else str(obj)


@transaction.atomic(durable=True)
def update_incident(
    incident: Incident, *, actor, source: str, expected_version: int | None, changes: dict
) -> Incident:
    """Edit record fields; impact or urgency changes recompute the priority."""
    incident = _locked(incident, expected_version)
    rules.check(Action.UPDATE, incident, actor)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise Invalid(fields={name: _("This field cannot be edited.") for name in unknown})
    errors = {}
    cleaned = dict(changes)
    cleaned.update(text_fields({k: v for k, v in changes.items() if k in TEXT_FIELDS}, errors))
    if "kind" in cleaned:
        cleaned["kind"] = choice(cleaned["kind"], Kind, "kind", errors)
    if "occurred_at" in cleaned:
        cleaned["occurred_at"] = within_past(cleaned["occurred_at"], "occurred_at", clock.now(),
                                             errors)
    if "impact" in cleaned or "urgency" in cleaned:
        cleaned.update(_priority_fields(cleaned.get("impact", incident.impact),
                                        cleaned.get("urgency", incident.urgency), errors))
        if incident.priority_override is not None:
            cleaned["priority"] = incident.priority_override
    if errors:
        raise Invalid(fields=errors)
    if "customer" in cleaned:
        cleaned["is_vip"] = bool(cleaned["customer"] and cleaned["customer"].is_vip)
    diff = {}
    for name, value in cleaned.items():
        old = getattr(incident, name)
        if old != value:
            diff[name] = [_label(old) if hasattr(old, "pk") else old,
                          _label(value) if hasattr(value, "pk") else value]
            setattr(incident, name, value)
    if not diff:
        return incident
    _save(incident, list(cleaned))
    note = ""
    if "matrix_priority" in diff and incident.priority_override is not None:
        note = _("Matrix priority changed; the manual override P%(p)s stays in force.") % {
            "p": incident.priority_override
        }
    timeline.record(incident, actor=actor, source=source, kind="updated",
                    changes=_json_safe(diff), note=note)
    if "priority" in diff:
        clocks.recalculate(incident, actor=actor, source=source, why=_(
            "Priority changed from P%(old)s to P%(new)s with the impact or urgency."
        ) % {"old": diff["priority"][0], "new": diff["priority"][1]})
        _escalate_if_due(incident)
    return incident


def _json_safe(diff: dict) -> dict:
    return {
        key: [v.isoformat() if isinstance(v, datetime) else v for v in pair]
        for key, pair in diff.items()
    }


@transaction.atomic(durable=True)
def assign(
    incident: Incident, *, actor, source: str, expected_version: int | None, team,
    assignee=None, note: str = "",
) -> Incident:
    """Dispatch or transfer the incident to a team (and optionally a person)."""
    incident = _locked(incident, expected_version)
    rules.check(Action.ASSIGN, incident, actor)
    errors = {}
    note = optional_text(note, "note", 5000, errors)
    if team is None:
        errors["team"] = _("Choose a team.")
    elif assignee is not None and (assignee.team_id != team.pk
                                   or assignee.role not in rules.HANDLERS
                                   or not assignee.is_active):
        errors["assignee"] = _("The assignee must be an active member of %(team)s.") % {
            "team": team}
    elif (incident.team_id, incident.assignee_id) == (team.pk, getattr(assignee, "pk", None)) \
            and incident.status == Status.ASSIGNED:
        errors["team"] = _("The incident is already assigned there.")
    if errors:
        raise Invalid(fields=errors)
    now = clock.now()
    old_team, old_assignee = incident.team, incident.assignee
    if rules.reassignment_counts(incident, team.pk, getattr(assignee, "pk", None)):
        incident.reassignment_count += 1
    if team.tier == Tier.VENDOR and incident.transferred_to_vendor_at is None:
        incident.transferred_to_vendor_at = now
    incident.team, incident.assignee = team, assignee
    incident.status, incident.waiting_on = Status.ASSIGNED, ""
    incident.assigned_at, incident.accepted_at = now, None
    _save(incident, ["team", "assignee", "status", "waiting_on", "assigned_at", "accepted_at",
                     "reassignment_count", "transferred_to_vendor_at"])
    clocks.end_pause(incident)
    changes = {"team": [_label(old_team), str(team)],
               "assignee": [_label(old_assignee), _label(assignee)],
               "tier": [old_team.tier if old_team else None, team.tier]}
    timeline.record(incident, actor=actor, source=source, kind="assigned", changes=changes,
                    note=note)
    if incident.reassignment_count > escalation_rules.REASSIGNMENT_LIMIT:
        escalations.fire_due(incident, actor=None, source="system", now=now)
    return incident


@transaction.atomic(durable=True)
def accept(incident: Incident, *, actor, source: str, expected_version: int | None) -> Incident:
    """The assignee (or a team member, who then becomes the assignee) takes it (接收)."""
    incident = _locked(incident, expected_version)
    rules.check(Action.ACCEPT, incident, actor)
    now = clock.now()
    old_assignee = incident.assignee
    if incident.assignee_id is None:
        incident.assignee = actor
    incident.status, incident.accepted_at = Status.IN_PROGRESS, now
    incident.first_accepted_at = incident.first_accepted_at or now
    _save(incident, ["assignee", "status", "accepted_at", "first_accepted_at"])
    clocks.responded(incident)
    timeline.record(incident, actor=actor, source=source, kind="accepted", public=True,
                    changes={"status": [Status.ASSIGNED, Status.IN_PROGRESS],
                             "assignee": [_label(old_assignee), _label(incident.assignee)]})
    return incident


@transaction.atomic(durable=True)
def pend(
    incident: Incident, *, actor, source: str, expected_version: int | None, waiting_on: str,
    reason: str,
) -> Incident:
    incident = _locked(incident, expected_version)
    rules.check(Action.PEND, incident, actor)
    errors = {}
    waiting_on = choice(waiting_on, WaitingOn, "waiting_on", errors)
    reason = required_text(reason, "reason", 5000, errors)
    if errors:
        raise Invalid(fields=errors)
    incident.status, incident.waiting_on = Status.PENDING, waiting_on
    _save(incident, ["status", "waiting_on"])
    clocks.pause(incident)
    timeline.record(incident, actor=actor, source=source, kind="pended", note=reason,
                    public=waiting_on == WaitingOn.REQUESTER,
                    changes={"status": [Status.IN_PROGRESS, Status.PENDING],
                             "waiting_on": [None, waiting_on]})
    return incident


@transaction.atomic(durable=True)
def resume(
    incident: Incident, *, actor, source: str, expected_version: int | None, note: str = ""
) -> Incident:
    incident = _locked(incident, expected_version)
    rules.check(Action.RESUME, incident, actor)
    note = _valid_note(note)
    old_waiting = incident.waiting_on
    incident.status, incident.waiting_on = Status.IN_PROGRESS, ""
    _save(incident, ["status", "waiting_on"])
    clocks.end_pause(incident)
    timeline.record(incident, actor=actor, source=source, kind="resumed", note=note,
                    changes={"status": [Status.PENDING, Status.IN_PROGRESS],
                             "waiting_on": [old_waiting, None]})
    return incident


def resolver_role_for(actor, incident) -> str:
    """The tier the resolver works at (事件解决人角色), by default."""
    team = actor.team if actor.team_id else incident.team
    return team.tier if team is not None else Tier.SERVICE_DESK


@transaction.atomic(durable=True)
def resolve(
    incident: Incident, *, actor, source: str, expected_version: int | None,
    closure_code: str, solution: str, business_recovered_at: datetime | None = None,
    failure_vendor: str | None = None, resolver_role: str | None = None, category=None,
    ci=None, system_type: str | None = None,
) -> Incident:
    """Record the solution (INC-14). Monitoring and system-transferred tickets
    close at once (INC-15); the others wait for the requester."""
    incident = _locked(incident, expected_version)
    rules.check(Action.RESOLVE, incident, actor)
    now = clock.now()
    errors = {}
    closure_code = choice(closure_code, ClosureCode, "closure_code", errors)
    solution = required_text(solution, "solution", 20000, errors)
    resolver_role = choice(resolver_role or resolver_role_for(actor, incident), Tier,
                           "resolver_role", errors)
    incident.category = category or incident.category
    incident.ci = ci or incident.ci
    if system_type is not None:
        incident.system_type = optional_text(system_type, "system_type", 100, errors)
    if failure_vendor is not None:
        incident.failure_vendor = optional_text(failure_vendor, "failure_vendor", 100, errors)
    if incident.category_id is None:
        errors["category"] = _("Confirm the category before resolving.")
    if incident.kind in (Kind.FAULT, Kind.ALERT) and incident.ci_id is None:
        errors["ci"] = _("Faults and alerts must name the configuration item that failed.")
    if incident.kind == Kind.FAULT:
        recovered = within_past(business_recovered_at or now, "business_recovered_at", now,
                                errors)
        if recovered is not None and recovered < incident.occurred_at:
            errors["business_recovered_at"] = _("Recovery cannot be before the occurrence.")
        incident.business_recovered_at = recovered
    if errors:
        raise Invalid(fields=errors)
    status_before = incident.status
    _mark_resolved(incident, actor, closure_code, solution, resolver_role, now)
    _save(incident, [*RESOLUTION_FIELDS, "category", "ci", "system_type", "failure_vendor",
                     "business_recovered_at"])
    clocks.stop(incident)
    timeline.record(incident, actor=actor, source=source, kind="resolved", public=True,
                    note=solution, changes={"status": [status_before, Status.RESOLVED],
                                            "closure_code": [None, closure_code]})
    for duplicate in _open_duplicates(incident, UNRESOLVED_STATUSES):
        duplicate_status_before = duplicate.status
        _mark_resolved(duplicate, actor, closure_code, solution, resolver_role, now)
        _save(duplicate, RESOLUTION_FIELDS)
        clocks.stop(duplicate)
        timeline.record(duplicate, actor=actor, source=source, kind="resolved", public=True,
                        note=solution, changes={
                            "status": [duplicate_status_before, Status.RESOLVED],
                            "closure_code": [None, closure_code],
                            "master": [None, incident.number]})
    if incident.closes_on_resolution:
        _close_with_duplicates(incident, actor=actor, source=source, kind="closed",
                               note=_("Closed on resolution: generated automatically."))
    return incident


RESOLUTION_FIELDS = ["status", "waiting_on", "closure_code", "solution", "resolver_role",
                     "resolved_by", "resolved_team", "resolved_at", "needs_problem"]


def _mark_resolved(incident, actor, closure_code, solution, resolver_role, now):
    incident.status, incident.waiting_on = Status.RESOLVED, ""
    incident.closure_code, incident.solution = closure_code, solution
    incident.resolver_role = resolver_role
    incident.resolved_by = actor
    incident.resolved_team = actor.team if actor.team_id else incident.team
    incident.resolved_at = now
    incident.needs_problem = closure_code in PROBLEM_CLOSURE_CODES


def _open_duplicates(master: Incident, statuses) -> list[Incident]:
    return list(
        Incident.objects.select_for_update().filter(duplicate_of=master, status__in=statuses)
        .order_by("id")
    )


def _close_with_duplicates(incident: Incident, *, actor, source, kind, note, changes=None):
    """Close the incident and, with the same closure code, its duplicates (INC-15)."""
    now = clock.now()
    for record in [incident, *_open_duplicates(incident, [s for s in Status
                                                           if s != Status.CLOSED])]:
        record_changes = {"status": [record.status, Status.CLOSED]}
        if record is not incident:
            record.closure_code = incident.closure_code
            record.needs_problem = incident.needs_problem
            record_changes["master"] = [None, incident.number]
        record.status, record.closed_at = Status.CLOSED, now
        _save(record, ["status", "closed_at", "closure_code", "needs_problem"])
        timeline.record(record, actor=actor, source=source, kind=kind, public=True,
                        note=note, changes={**record_changes, **(changes or {})})


def _close_resolved(incident, *, action, kind, actor, source, expected_version, note):
    incident = _locked(incident, expected_version)
    rules.check(action, incident, actor)
    _close_with_duplicates(incident, actor=actor, source=source, kind=kind,
                           note=_valid_note(note))
    return incident


@transaction.atomic(durable=True)
def confirm(
    incident: Incident, *, actor, source: str, expected_version: int | None, note: str = ""
) -> Incident:
    """The requester confirms the resolution (recorded by an agent or themself)."""
    return _close_resolved(incident, action=Action.CONFIRM, kind="confirmed", actor=actor,
                           source=source, expected_version=expected_version, note=note)


@transaction.atomic(durable=True)
def close(
    incident: Incident, *, actor, source: str, expected_version: int | None, note: str = ""
) -> Incident:
    """Close a resolved ticket that needs no requester confirmation (staff-raised)."""
    return _close_resolved(incident, action=Action.CLOSE, kind="closed", actor=actor,
                           source=source, expected_version=expected_version, note=note)


@transaction.atomic(durable=True)
def reject(
    incident: Incident, *, actor, source: str, expected_version: int | None, reason: str
) -> tuple[Incident, Incident]:
    """The requester says it is not solved (100.7.3): close this ticket as
    unsuccessful and open a copy assigned back to whoever resolved it."""
    incident = _locked(incident, expected_version)
    rules.check(Action.REJECT, incident, actor)
    errors = {}
    reason = required_text(reason, "reason", 5000, errors)
    if errors:
        raise Invalid(fields=errors)
    now = clock.now()
    old_code, old_needs_problem = incident.closure_code, incident.needs_problem
    incident.closure_code = ClosureCode.UNSUCCESSFUL
    # The resolution did not hold, so its workaround raises no problem; the
    # copy will carry that flag if its own resolution needs one.
    incident.needs_problem = False
    handler = incident.resolved_by if incident.resolved_by.is_active else None
    handed_back = incident.resolved_team_id is not None or handler is not None
    copy = Incident(
        **{name: getattr(incident, name) for name in COPIED_FIELDS},
        number=_number_for(now),
        copied_from=incident,
        team=incident.resolved_team,
        assignee=handler,
        status=Status.ASSIGNED if handed_back else Status.NEW,
        assigned_at=now if handed_back else None,
        registered_at=now,
        updated_at=now,
        created_by=actor,
    )
    clocks.start(copy)
    copy.save()
    _close_with_duplicates(incident, actor=actor, source=source, kind="rejected", note=reason,
                           changes={"closure_code": [old_code, ClosureCode.UNSUCCESSFUL],
                                    "copy": [None, copy.number],
                                    **({"needs_problem": [True, False]} if old_needs_problem
                                       else {})})
    timeline.record(copy, actor=actor, source=source, kind="logged", public=True,
                    note=reason, changes={"status": [None, copy.status],
                                          "copied_from": [None, incident.number],
                                          "team": [None, _label(copy.team)],
                                          "assignee": [None, _label(copy.assignee)]})
    _escalate_if_due(copy)
    return incident, copy


@transaction.atomic(durable=True)
def link_duplicate(
    incident: Incident, *, actor, source: str, expected_version: int | None, master: Incident
) -> Incident:
    """Mark the incident as a duplicate (重复事件单) of an open master (INC-04)."""
    incident = _locked(incident, expected_version)
    rules.check(Action.LINK_DUPLICATE, incident, actor)
    master = Incident.objects.select_for_update().get(pk=master.pk)
    if master.duplicate_of_id is not None:
        master = Incident.objects.select_for_update().get(pk=master.duplicate_of_id)
    if master.pk == incident.pk:
        raise Invalid(fields={"master": _("An incident cannot duplicate itself.")})
    if master.status not in UNRESOLVED_STATUSES:
        raise Invalid(fields={"master": _("The master incident must still be unresolved.")})
    if incident.duplicate_of_id == master.pk:
        raise Invalid(fields={"master": _("Already linked to this master.")})
    # The incident's open duplicates follow it, so cascades follow one link only;
    # closed ones never change again.
    moves = [(incident, _number(incident.duplicate_of))] + [
        (duplicate, incident.number)
        for duplicate in incident.duplicates.select_for_update().exclude(status=Status.CLOSED)
        .order_by("id")
    ]
    for record, previous_master in moves:
        record.duplicate_of = master
        _save(record, ["duplicate_of"])
        timeline.record(record, actor=actor, source=source, kind="duplicate_linked",
                        changes={"duplicate_of": [previous_master, master.number]})
    timeline.record(master, actor=actor, source=source, kind="duplicate_added",
                    changes={"duplicates": [None, [record.number for record, _previous in moves]]})
    return incident


def _number(incident) -> str | None:
    return incident.number if incident is not None else None


@transaction.atomic(durable=True)
def override_priority(
    incident: Incident, *, actor, source: str, expected_version: int | None, priority: int,
    reason: str,
) -> Incident:
    """Set the priority by hand, or re-confirm it (INC-06), saying why."""
    incident = _locked(incident, expected_version)
    rules.check(Action.OVERRIDE_PRIORITY, incident, actor)
    errors = {}
    if isinstance(priority, bool) or priority not in (1, 2, 3, 4):
        errors["priority"] = _("Priority must be 1, 2, 3 or 4.")
    reason = required_text(reason, "reason", 5000, errors)
    if errors:
        raise Invalid(fields=errors)
    old = incident.priority
    incident.priority = incident.priority_override = priority
    incident.priority_override_reason = reason
    incident.priority_override_by, incident.priority_override_at = actor, clock.now()
    _save(incident, ["priority", "priority_override", "priority_override_reason",
                     "priority_override_by", "priority_override_at"])
    timeline.record(incident, actor=actor, source=source, kind="priority_overridden",
                    note=reason, changes={"priority": [old, priority],
                                          "matrix_priority": [None, incident.matrix_priority]})
    if priority != old:
        clocks.recalculate(incident, actor=actor, source=source, why=_(
            "Priority set by hand from P%(old)s to P%(new)s."
        ) % {"old": old, "new": priority})
        _escalate_if_due(incident)
    return incident


@transaction.atomic(durable=True)
def comment(
    incident: Incident, *, actor, source: str, body: str, public: bool,
    expected_version: int | None = None,
) -> Incident:
    """Add a comment: public ones are shown to the requester, internal ones never."""
    incident = _locked(incident, expected_version)
    rules.check(Action.COMMENT, incident, actor)
    errors = {}
    body = required_text(body, "body", 20000, errors)
    if errors:
        raise Invalid(fields=errors)
    public = True if actor.is_requester else bool(public)
    _save(incident, [], bump=False)
    timeline.record(incident, actor=actor, source=source, kind="comment", note=body,
                    public=public)
    clocks.replied(incident, actor=actor, public=public)
    return incident


@transaction.atomic(durable=True)
def add_attachment(incident: Incident, *, actor, source: str, upload, public: bool = True
                   ) -> Attachment:
    """Attach a file. Whoever may comment may attach; a requester's files are
    always public, and internal files are never shown to requesters."""
    incident = _locked(incident, None)
    rules.check(Action.COMMENT, incident, actor)
    limit = settings.OPSDESK_MAX_ATTACHMENT_MB
    if upload is None or not upload.size:
        raise Invalid(fields={"file": _("Choose a file that is not empty.")})
    if upload.size > limit * 1024 * 1024:
        raise Invalid(fields={"file": _("A file may be at most %(mb)d MB.") % {"mb": limit}})
    name = _safe_file_name(upload.name)
    attachment = Attachment(
        incident=incident, name=name, size=upload.size,
        content_type=(upload.content_type or "")[:100], uploaded_by=actor,
        uploaded_at=clock.now(), public=True if actor.is_requester else bool(public),
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    _save(incident, [], bump=False)
    timeline.record(incident, actor=actor, source=source, kind="attachment_added", note=name,
                    public=attachment.public, changes={"attachment": [None, name]})
    return attachment


def _safe_file_name(name: str | None) -> str:
    try:
        return get_valid_filename(Path(name or "").name)[-200:]
    except SuspiciousFileOperation:
        return "file"


@transaction.atomic(durable=True)
def escalate(incident: Incident, *, actor=None, source: str = "worker",
             now: datetime | None = None) -> list[escalation_rules.Step]:
    """Fire the escalation steps due now, each once (INC-10, INC-11): lock the
    row, re-check what is due, fire in order, keep the next instant. The
    status does not change; a closed incident escalates no more."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    return escalations.fire_due(incident, actor=actor, source=source, now=now or clock.now())


def _escalate_if_due(incident: Incident) -> None:
    """Within an action: fire what fell due with it (a priority 1 ticket at
    once), as the system rather than the user who acted."""
    now = clock.now()
    if incident.next_escalation_at is not None and incident.next_escalation_at <= now:
        escalations.fire_due(incident, actor=None, source="system", now=now)
