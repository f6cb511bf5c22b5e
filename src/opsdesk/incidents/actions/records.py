"""Changes to the record besides its lifecycle: field edits, duplicates,
priority overrides, comments, attachments and escalation."""

from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.db import transaction
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from opsdesk.core import clock, timeline
from opsdesk.core.errors import Invalid
from opsdesk.sla import rules as escalation_rules

from .. import clocks, escalations, rules, stints
from ..choices import (
    UNRESOLVED_STATUSES,
    Action,
    Kind,
    Status,
)
from ..models import Attachment, Incident
from ..validation import (
    TEXT_FIELDS,
    choice,
    required_text,
    text_fields,
    within_past,
)
from ._base import (
    escalate_if_due,
    json_safe,
    label,
    locked,
    priority_fields,
    save,
    tell_requester,
    valid_note,
)

EDITABLE_FIELDS = (
    "title", "description", "symptoms", "kind", "category", "system_type", "ci", "service",
    "customer", "contract", "impact", "urgency", "reporter_name", "reporter_email",
    "reporter_phone", "occurred_at", "failure_vendor",
)


@transaction.atomic(durable=True)
def update_incident(
    incident: Incident, *, actor, source: str, expected_version: int | None, changes: dict
) -> Incident:
    """Edit record fields; impact or urgency changes recompute the priority."""
    incident = locked(incident, expected_version)
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
        cleaned.update(priority_fields(cleaned.get("impact", incident.impact),
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
            diff[name] = [label(old) if hasattr(old, "pk") else old,
                          label(value) if hasattr(value, "pk") else value]
            setattr(incident, name, value)
    if not diff:
        return incident
    save(incident, list(cleaned))
    note = ""
    if "matrix_priority" in diff and incident.priority_override is not None:
        note = _("Matrix priority changed; the manual override P%(p)s stays in force.") % {
            "p": incident.priority_override
        }
    timeline.record(incident, actor=actor, source=source, kind="updated",
                    changes=json_safe(diff), note=note)
    if "priority" in diff:
        clocks.recalculate(incident, actor=actor, source=source, why=_(
            "Priority changed from P%(old)s to P%(new)s with the impact or urgency."
        ) % {"old": diff["priority"][0], "new": diff["priority"][1]})
        escalate_if_due(incident)
    return incident


@transaction.atomic(durable=True)
def link_duplicate(
    incident: Incident, *, actor, source: str, expected_version: int | None, master: Incident
) -> Incident:
    """Mark the incident as a duplicate (重复事件单) of an open master (INC-04)."""
    incident = locked(incident, expected_version)
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
        save(record, ["duplicate_of"])
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
    incident = locked(incident, expected_version)
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
    save(incident, ["priority", "priority_override", "priority_override_reason",
                     "priority_override_by", "priority_override_at"])
    timeline.record(incident, actor=actor, source=source, kind="priority_overridden",
                    note=reason, changes={"priority": [old, priority],
                                          "matrix_priority": [None, incident.matrix_priority]})
    if priority != old:
        clocks.recalculate(incident, actor=actor, source=source, why=_(
            "Priority set by hand from P%(old)s to P%(new)s."
        ) % {"old": old, "new": priority})
        escalate_if_due(incident)
    return incident


@transaction.atomic(durable=True)
def comment(
    incident: Incident, *, actor, source: str, body: str, public: bool,
    expected_version: int | None = None,
) -> Incident:
    """Add a comment: public ones are shown to the requester, internal ones never."""
    incident = locked(incident, expected_version)
    rules.check(Action.COMMENT, incident, actor)
    errors = {}
    body = required_text(body, "body", 20000, errors)
    if errors:
        raise Invalid(fields=errors)
    public = True if actor.is_requester else bool(public)
    save(incident, [], bump=False)
    timeline.record(incident, actor=actor, source=source, kind="comment", note=body,
                    public=public)
    clocks.replied(incident, actor=actor, public=public)
    if public and not actor.is_requester and not actor.is_robot:
        tell_requester(incident, actor=actor, template="public_comment", comment=body,
                       author=actor)
    return incident


@transaction.atomic(durable=True)
def intervene(
    incident: Incident, *, actor, source: str, expected_version: int | None, note: str = ""
) -> Incident:
    """A manager takes the ticket over (INC-13) and becomes its assignee; the
    team stays. Not a reassignment: it does not count towards INC-10's limit."""
    incident = locked(incident, expected_version)
    rules.check(Action.INTERVENE, incident, actor)
    note = valid_note(note)
    if incident.assignee_id == actor.pk:
        raise Invalid(fields={"note": _("You already hold this incident.")})
    old_assignee = incident.assignee
    incident.assignee = actor
    save(incident, ["assignee"])
    stints.take_over(incident, clock.now())
    timeline.record(incident, actor=actor, source=source, kind="intervened", note=note,
                    changes={"assignee": [label(old_assignee), label(actor)]})
    return incident


@transaction.atomic(durable=True)
def add_attachment(incident: Incident, *, actor, source: str, upload, public: bool = True
                   ) -> Attachment:
    """Attach a file. Whoever may comment may attach; a requester's files are
    always public, and internal files are never shown to requesters."""
    incident = locked(incident, None)
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
    save(incident, [], bump=False)
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
