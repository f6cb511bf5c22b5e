"""The lifecycle: dispatch, acceptance, pending, resolution and closure
(INC-08, INC-14, INC-15), with the duplicate cascade and the rejection copy."""

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from opsdesk.core import clock, timeline
from opsdesk.core.choices import Tier
from opsdesk.core.errors import Invalid
from opsdesk.portal.surveys import invite_after_closure
from opsdesk.problems import incident_links
from opsdesk.sla import rules as escalation_rules

from .. import clocks, escalations, rules, stints
from ..choices import (
    PROBLEM_CLOSURE_CODES,
    UNRESOLVED_STATUSES,
    Action,
    ClosureCode,
    Kind,
    Status,
    WaitingOn,
)
from ..models import Incident
from ..validation import (
    choice,
    optional_text,
    required_text,
    within_past,
)
from ._base import (
    escalate_if_due,
    label,
    locked,
    number_for,
    save,
    status_changed,
    valid_note,
)

# Fields copied onto the new incident when a requester rejects a resolution.
COPIED_FIELDS = (
    "kind", "channel", "title", "description", "symptoms", "requester", "reporter_name",
    "reporter_email", "reporter_phone", "customer", "contract", "is_vip", "occurred_at",
    "category", "system_type", "ci", "service", "impact", "urgency", "matrix_priority",
    "priority", "priority_override", "priority_override_reason", "priority_override_by",
    "priority_override_at",
)


@transaction.atomic(durable=True)
def assign(
    incident: Incident, *, actor, source: str, expected_version: int | None, team,
    assignee=None, note: str = "",
) -> Incident:
    """Dispatch or transfer the incident to a team (and optionally a person)."""
    incident = locked(incident, expected_version)
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
    save(incident, ["team", "assignee", "status", "waiting_on", "assigned_at", "accepted_at",
                     "reassignment_count", "transferred_to_vendor_at"])
    clocks.end_pause(incident)
    stints.hand_over(incident, now)
    changes = {"team": [label(old_team), str(team)],
               "assignee": [label(old_assignee), label(assignee)],
               "tier": [old_team.tier if old_team else None, team.tier]}
    timeline.record(incident, actor=actor, source=source, kind="assigned", changes=changes,
                    note=note)
    if incident.reassignment_count > escalation_rules.REASSIGNMENT_LIMIT:
        escalations.fire_due(incident, actor=None, source="system", now=now)
    return incident


@transaction.atomic(durable=True)
def accept(incident: Incident, *, actor, source: str, expected_version: int | None) -> Incident:
    """The assignee (or a team member, who then becomes the assignee) takes it (接收)."""
    incident = locked(incident, expected_version)
    rules.check(Action.ACCEPT, incident, actor)
    now = clock.now()
    old_assignee = incident.assignee
    if incident.assignee_id is None:
        incident.assignee = actor
    incident.status, incident.accepted_at = Status.IN_PROGRESS, now
    incident.first_accepted_at = incident.first_accepted_at or now
    save(incident, ["assignee", "status", "accepted_at", "first_accepted_at"])
    clocks.responded(incident)
    stints.accepted(incident, now)
    timeline.record(incident, actor=actor, source=source, kind="accepted", public=True,
                    changes={"status": [Status.ASSIGNED, Status.IN_PROGRESS],
                             "assignee": [label(old_assignee), label(incident.assignee)]})
    status_changed(incident, Status.ASSIGNED, actor=actor)
    return incident


@transaction.atomic(durable=True)
def pend(
    incident: Incident, *, actor, source: str, expected_version: int | None, waiting_on: str,
    reason: str, vendor=None,
) -> Incident:
    """Wait on the requester or on a vendor. Waiting on a vendor names which
    one (by default the vendor holding the incident): that interval counts
    against the vendor's underpinning contract."""
    incident = locked(incident, expected_version)
    rules.check(Action.PEND, incident, actor)
    errors = {}
    waiting_on = choice(waiting_on, WaitingOn, "waiting_on", errors)
    reason = required_text(reason, "reason", 5000, errors)
    vendor = _vendor_waited_on(incident, waiting_on, vendor, errors)
    if errors:
        raise Invalid(fields=errors)
    incident.status, incident.waiting_on = Status.PENDING, waiting_on
    save(incident, ["status", "waiting_on"])
    clocks.pause(incident, vendor=vendor)
    changes = {"status": [Status.IN_PROGRESS, Status.PENDING], "waiting_on": [None, waiting_on]}
    if vendor is not None:
        changes["vendor"] = [None, str(vendor)]
    timeline.record(incident, actor=actor, source=source, kind="pended", note=reason,
                    public=waiting_on == WaitingOn.REQUESTER, changes=changes)
    if waiting_on == WaitingOn.REQUESTER:
        # The requester must learn what we are waiting for from them.
        status_changed(incident, Status.IN_PROGRESS, actor=actor, note=reason)
    return incident


def _vendor_waited_on(incident: Incident, waiting_on, vendor, errors: dict):
    if waiting_on != WaitingOn.VENDOR:
        if vendor is not None:
            errors["vendor"] = _("Name a vendor only when the incident waits on one.")
        return None
    if vendor is None:
        team = incident.team
        return team if team is not None and team.tier == Tier.VENDOR else None
    if vendor.tier != Tier.VENDOR:
        errors["vendor"] = _("%(team)s is not a third-party vendor.") % {"team": vendor}
    return vendor


@transaction.atomic(durable=True)
def resume(
    incident: Incident, *, actor, source: str, expected_version: int | None, note: str = ""
) -> Incident:
    incident = locked(incident, expected_version)
    rules.check(Action.RESUME, incident, actor)
    note = valid_note(note)
    old_waiting = incident.waiting_on
    incident.status, incident.waiting_on = Status.IN_PROGRESS, ""
    save(incident, ["status", "waiting_on"])
    clocks.end_pause(incident)
    timeline.record(incident, actor=actor, source=source, kind="resumed", note=note,
                    changes={"status": [Status.PENDING, Status.IN_PROGRESS],
                             "waiting_on": [old_waiting, None]})
    if old_waiting == WaitingOn.REQUESTER:
        status_changed(incident, Status.PENDING, actor=actor)
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
    ci=None, system_type: str | None = None, problem=None,
) -> Incident:
    """Record the solution (INC-14). Monitoring and system-transferred tickets
    close at once (INC-15); the others wait for the requester. A workaround
    closure links a problem: `problem` is one, or "new" to raise it (INC-16)."""
    incident = locked(incident, expected_version)
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
    if incident.kind in (Kind.FAULT, Kind.ALERT):
        recovered = within_past(business_recovered_at or now, "business_recovered_at", now,
                                errors)
        if recovered is not None and recovered < incident.occurred_at:
            errors["business_recovered_at"] = _("Recovery cannot be before the occurrence.")
        incident.business_recovered_at = recovered
    problem = incident_links.problem_for_resolution(incident, closure_code, problem, actor,
                                                    errors)
    if errors:
        raise Invalid(fields=errors)
    status_before = incident.status
    _mark_resolved(incident, actor, closure_code, solution, resolver_role, now)
    save(incident, [*RESOLUTION_FIELDS, "category", "ci", "system_type", "failure_vendor",
                     "business_recovered_at"])
    clocks.stop(incident)
    timeline.record(incident, actor=actor, source=source, kind="resolved", public=True,
                    note=solution, changes={"status": [status_before, Status.RESOLVED],
                                            "closure_code": [None, closure_code]})
    incident_links.link_resolved(incident, problem, actor=actor, source=source)
    status_changed(incident, status_before, actor=actor)
    for duplicate in _open_duplicates(incident, UNRESOLVED_STATUSES):
        duplicate_status_before = duplicate.status
        _mark_resolved(duplicate, actor, closure_code, solution, resolver_role, now)
        save(duplicate, RESOLUTION_FIELDS)
        clocks.stop(duplicate)
        timeline.record(duplicate, actor=actor, source=source, kind="resolved", public=True,
                        note=solution, changes={
                            "status": [duplicate_status_before, Status.RESOLVED],
                            "closure_code": [None, closure_code],
                            "master": [None, incident.number]})
        status_changed(duplicate, duplicate_status_before, actor=actor)
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
        status_before = record.status
        record_changes = {"status": [status_before, Status.CLOSED]}
        if record is not incident:
            record.closure_code = incident.closure_code
            record.needs_problem = incident.needs_problem
            record_changes["master"] = [None, incident.number]
        record.status, record.closed_at = Status.CLOSED, now
        save(record, ["status", "closed_at", "closure_code", "needs_problem"])
        timeline.record(record, actor=actor, source=source, kind=kind, public=True,
                        note=note, changes={**record_changes, **(changes or {})})
        status_changed(record, status_before, actor=actor)
        invite_after_closure(record)  # INC-19: the satisfaction survey


def _close_resolved(incident, *, action, kind, actor, source, expected_version, note):
    incident = locked(incident, expected_version)
    rules.check(action, incident, actor)
    _close_with_duplicates(incident, actor=actor, source=source, kind=kind,
                           note=valid_note(note))
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
    incident = locked(incident, expected_version)
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
        number=number_for(now),
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
    stints.hand_over(copy, now)
    _close_with_duplicates(incident, actor=actor, source=source, kind="rejected", note=reason,
                           changes={"closure_code": [old_code, ClosureCode.UNSUCCESSFUL],
                                    "copy": [None, copy.number],
                                    **({"needs_problem": [True, False]} if old_needs_problem
                                       else {})})
    timeline.record(copy, actor=actor, source=source, kind="logged", public=True,
                    note=reason, changes={"status": [None, copy.status],
                                          "copied_from": [None, incident.number],
                                          "team": [None, label(copy.team)],
                                          "assignee": [None, label(copy.assignee)]})
    escalate_if_due(copy)
    return incident, copy
