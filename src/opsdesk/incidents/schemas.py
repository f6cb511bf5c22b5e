"""Shapes of the incidents API: what clients send (…Create, …Update, one body
per lifecycle action) and what they get back (IncidentRead, TimelineEventRead).

Related records are named as people name them: teams, categories, CIs,
services and customers by name, people by username. Types are checked here;
the rules (lengths, transitions, who may do what) are checked by the actions.
"""

from datetime import datetime

from ninja import Schema
from pydantic import AwareDatetime, ConfigDict, Field

from opsdesk.core.choices import Tier
from opsdesk.sla.choices import Impact, Urgency

from .choices import Channel, ClosureCode, Kind, Status, WaitingOn


class StrictBody(Schema):
    """A request body that refuses unknown fields instead of ignoring them."""

    model_config = ConfigDict(extra="forbid")


class Requester(StrictBody):
    """The person who reported the incident and how to reach them."""

    name: str = ""
    email: str = ""
    phone: str = ""


class IncidentCreate(StrictBody):
    title: str
    description: str = ""
    kind: Kind
    channel: Channel
    impact: Impact
    urgency: Urgency
    category: str | None = Field(None, description="Category name, or “Parent / Name”.")
    ci: str | None = Field(None, description="Configuration item name.")
    service: str | None = Field(None, description="Service name or code.")
    customer: str | None = Field(None, description="Customer code or name.")
    requester: Requester | None = None
    occurred_at: datetime | None = Field(None, description="Defaults to now.")
    symptoms: str = ""
    system_type: str = ""


class IncidentUpdate(StrictBody):
    """Only the fields sent are changed; `null` clears a related record."""

    version: int
    title: str | None = None
    description: str | None = None
    symptoms: str | None = None
    kind: Kind | None = None
    impact: Impact | None = None
    urgency: Urgency | None = None
    category: str | None = None
    system_type: str | None = None
    ci: str | None = None
    service: str | None = None
    customer: str | None = None
    requester: Requester | None = None
    occurred_at: datetime | None = None
    failure_vendor: str | None = None


class IncidentFilters(Schema):
    status: list[str] = Field(
        [], description="Repeat the parameter or separate values by commas."
    )
    priority: list[str] = Field([], description="1-4; repeat or separate by commas.")
    team: str | None = Field(None, description="Team name.")
    assignee: str | None = Field(None, description="Username.")
    customer: str | None = Field(None, description="Customer code or name.")
    category: str | None = Field(None, description="Category name.")
    ci: str | None = Field(None, description="Configuration item name.")
    created_after: AwareDatetime | None = None
    created_before: AwareDatetime | None = None
    breached: bool | None = Field(
        None, description="true: a response or resolution target is missed; false: none is."
    )
    q: str | None = Field(None, description="An incident number, or words in title/description.")
    sort: str = Field("newest", description="newest, oldest, priority or updated.")
    cursor: str | None = Field(None, description="`next_cursor` of the previous page.")
    limit: int = Field(50, ge=1, le=200)


# Lifecycle action bodies. `version` is the incident version the client last
# read; a stale one gets 409 version_conflict.


class VersionedBody(StrictBody):
    version: int


class AssignBody(VersionedBody):
    team: str = Field(description="Team name.")
    assignee: str | None = Field(None, description="Username of a member of that team.")
    note: str = ""


class PendBody(VersionedBody):
    waiting_on: WaitingOn
    reason: str
    vendor: str | None = Field(
        None, description="Waiting on a vendor: the vendor team's name. Defaults to the "
                          "vendor the incident is assigned to, if it is.")


class NoteBody(VersionedBody):
    note: str = ""


class ArriveBody(NoteBody):
    arrived_at: AwareDatetime | None = Field(
        None, description="When the on-site engineer reached the customer; default now.")


class ResolveBody(VersionedBody):
    closure_code: ClosureCode
    solution: str
    business_recovered_at: datetime | None = Field(None, description="Faults; defaults to now.")
    failure_vendor: str | None = None
    resolver_role: Tier | None = Field(None, description="Defaults to the resolver's tier.")
    category: str | None = Field(None, description="Confirm or correct the category.")
    ci: str | None = None
    system_type: str | None = None
    problem: str | None = Field(None, max_length=24, description=(
        "Needed for closure codes workaround and successful_with_problem: a problem "
        "number, or \"new\" to raise one from the incident (INC-16)."))


class RejectBody(VersionedBody):
    reason: str


class LinkDuplicateBody(VersionedBody):
    master: str = Field(description="Number of the incident this one duplicates.")


class OverridePriorityBody(VersionedBody):
    priority: int
    reason: str


class CommentBody(StrictBody):
    body: str
    public: bool = Field(False, description="Shown to the requester; requesters' are always.")
    version: int | None = None


# Responses. Endpoints build plain dicts (incident_read, event_read); those
# about incidents are sent without ninja validating them again (api._sent).
# A field called `copy` would shadow pydantic's BaseModel.copy, so it is
# declared under another name with `copy` as its alias.


class Person(Schema):
    username: str
    display_name: str


def _person(user) -> dict | None:
    return None if user is None else {"username": user.username, "display_name": str(user)}


def _named(username: str | None, display_name: str | None) -> dict | None:
    """_person from a user's columns (display_name falls back as User.__str__ does)."""
    if username is None:
        return None
    return {"username": username, "display_name": display_name or username}


class IncidentRead(Schema):
    number: str
    version: int
    status: Status
    priority: int = Field(description="1 (critical) to 4 (low); the override if one is set.")
    matrix_priority: int
    priority_override: int | None
    priority_override_reason: str
    priority_override_by: Person | None
    priority_override_at: datetime | None
    kind: Kind
    channel: Channel
    title: str
    description: str
    symptoms: str
    impact: Impact
    urgency: Urgency
    category: str | None
    system_type: str
    ci: str | None
    service: str | None
    customer: str | None
    is_vip: bool
    requester: Requester
    team: str | None
    team_tier: Tier | None
    assignee: Person | None
    assigned_at: datetime | None
    accepted_at: datetime | None
    reassignment_count: int
    waiting_on: WaitingOn | None
    solution: str
    closure_code: ClosureCode | None
    business_recovered_at: datetime | None
    failure_vendor: str
    resolver_role: Tier | None
    resolved_at: datetime | None
    closed_at: datetime | None
    needs_problem: bool
    duplicate_of: str | None = Field(description="Number of the master incident.")
    copied_from: str | None = Field(description="Number of the rejected incident this copies.")
    copy_number: str | None = Field(
        alias="copy", description="Number of the copy made when this one was rejected."
    )
    satisfaction_score: int | None
    complaint_count: int
    occurred_at: datetime
    registered_at: datetime
    updated_at: datetime
    ola_started_at: datetime | None = Field(
        description="Since when the assigned team holds the incident.")
    ola_due_at: datetime | None = Field(
        description="When the assigned team must hand the incident over or resolve it, by its "
                    "OLA target (a vendor: by its underpinning contract); null while pending "
                    "or when no target applies.")
    vendor_pending: str | None = Field(
        description="The vendor the incident is pending on, if it is.")
    vendor_due_at: datetime | None = Field(
        description="When that vendor must resolve, by its underpinning contract.")


def incident_read(incident) -> dict:
    """IncidentRead's data, in its order, from an incident annotated with
    what it shows of related records and linked incidents (api.readable): no
    query runs. The API sends it as it is (api._sent), so it must keep
    IncidentRead's shape: tests/api/test_read.py compares the two."""
    return {
        "number": incident.number,
        "version": incident.version,
        "status": incident.status,
        "priority": incident.priority,
        "matrix_priority": incident.matrix_priority,
        "priority_override": incident.priority_override,
        "priority_override_reason": incident.priority_override_reason,
        "priority_override_by": _named(incident.priority_override_by_username,
                                       incident.priority_override_by_display_name),
        "priority_override_at": incident.priority_override_at,
        "kind": incident.kind,
        "channel": incident.channel,
        "title": incident.title,
        "description": incident.description,
        "symptoms": incident.symptoms,
        "impact": incident.impact,
        "urgency": incident.urgency,
        "category": incident.category_name,
        "system_type": incident.system_type,
        "ci": incident.ci_name,
        "service": incident.service_name,
        "customer": incident.customer_name,
        "is_vip": incident.is_vip,
        "requester": {"name": incident.reporter_name, "email": incident.reporter_email,
                      "phone": incident.reporter_phone},
        "team": incident.team_name,
        "team_tier": incident.team_tier,
        "assignee": _named(incident.assignee_username, incident.assignee_display_name),
        "assigned_at": incident.assigned_at,
        "accepted_at": incident.accepted_at,
        "reassignment_count": incident.reassignment_count,
        "waiting_on": incident.waiting_on or None,
        "solution": incident.solution,
        "closure_code": incident.closure_code or None,
        "business_recovered_at": incident.business_recovered_at,
        "failure_vendor": incident.failure_vendor,
        "resolver_role": incident.resolver_role or None,
        "resolved_at": incident.resolved_at,
        "closed_at": incident.closed_at,
        "needs_problem": incident.needs_problem,
        "duplicate_of": incident.duplicate_of_number,
        "copied_from": incident.copied_from_number,
        "copy": incident.copy_number,
        "satisfaction_score": incident.satisfaction_score,
        "complaint_count": incident.complaint_count,
        "occurred_at": incident.occurred_at,
        "registered_at": incident.registered_at,
        "updated_at": incident.updated_at,
        "ola_started_at": incident.ola_started_at,
        "ola_due_at": incident.ola_due_at,
        "vendor_pending": incident.vendor_pending,
        "vendor_due_at": incident.vendor_due_at,
    }


class IncidentPage(Schema):
    items: list[IncidentRead]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


class RejectOutcome(Schema):
    """A rejection closes the incident as unsuccessful and opens a copy."""

    incident: IncidentRead
    copy_incident: IncidentRead = Field(alias="copy")


class TimelineEventRead(Schema):
    id: int
    at: datetime
    actor: Person | None
    source: str = Field(description="The channel it came through: web, api, email …")
    kind: str = Field(description="logged, assigned, accepted, resolved, comment …")
    changes: dict = Field(description="Field name → [old, new].")
    note: str
    public: bool = Field(description="Visible to the requester.")


def event_read(event) -> dict:
    return {"id": event.id, "at": event.at, "actor": _person(event.actor),
            "source": event.source, "kind": event.kind, "changes": event.changes,
            "note": event.note, "public": event.public}


class AttachmentRead(Schema):
    id: int
    name: str
    size: int
    content_type: str
    public: bool
    uploaded_by: str
    uploaded_at: datetime
    url: str


def attachment_read(attachment) -> dict:
    return {
        "id": attachment.pk, "name": attachment.name, "size": attachment.size,
        "content_type": attachment.content_type, "public": attachment.public,
        "uploaded_by": attachment.uploaded_by.username,
        "uploaded_at": attachment.uploaded_at,
        "url": f"/api/v1/incidents/{attachment.incident.number}/attachments/{attachment.pk}",
    }
