"""The incidents REST API (/api/v1/incidents). Each endpoint parses the
request, loads the incident through queries.get_incident_for, turns names
into rows, calls one function of actions.py and returns the record re-read.
Errors are raised as OpsDeskError and rendered by opsdesk.api."""

import json
from datetime import UTC

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Header, Query, Router, UploadedFile
from ninja.responses import NinjaJSONEncoder

from opsdesk.core import idempotency, timeline
from opsdesk.core.errors import Forbidden, Invalid, NotFound
from opsdesk.core.models import Category, ConfigurationItem, Customer, Service, Team, User
from opsdesk.problems.incident_links import named_problem

from . import actions
from .attachments import attachment_response
from .models import Incident, StintKind, TeamStint
from .queries import (
    attachments_for,
    filter_incidents,
    get_attachment_for,
    get_incident_for,
    page_of,
    visible_incidents,
)
from .schemas import (
    ArriveBody,
    AssignBody,
    AttachmentRead,
    CommentBody,
    IncidentCreate,
    IncidentFilters,
    IncidentPage,
    IncidentRead,
    IncidentUpdate,
    LinkDuplicateBody,
    NoteBody,
    OverridePriorityBody,
    PendBody,
    RejectBody,
    RejectOutcome,
    Requester,
    ResolveBody,
    TimelineEventRead,
    VersionedBody,
    attachment_read,
    event_read,
    incident_read,
)

router = Router(tags=["incidents"], by_alias=True)
SOURCE = "api"

# Related records named in request bodies: the model and the fields a name may match.
NAMED = {
    "ci": (ConfigurationItem, ("name",)),
    "service": (Service, ("name", "code")),
    "customer": (Customer, ("code", "name")),
}


def _find(field: str, value: str, queryset: QuerySet, lookups, errors: dict, *,
          ambiguous: str | None = None):
    """The one row that `value` names, or None with a message in `errors`."""
    condition = Q()
    for lookup in lookups:
        condition |= Q(**{lookup: value})
    rows = list(queryset.filter(condition)[:2])
    if len(rows) == 1:
        return rows[0]
    if rows:
        errors[field] = (ambiguous or _("Several records are called “%(name)s”.")) % {
            "name": value}
    else:
        errors[field] = _("Nothing called “%(name)s” was found.") % {"name": value}
    return None


def _category(field: str, value: str, errors: dict):
    """A category by name, or by “Parent / Name” where a name repeats in the tree."""
    parent, _separator, name = value.rpartition(" / ")
    categories = Category.objects.all()
    if parent:
        categories = categories.filter(parent__name=parent.rpartition(" / ")[2].strip())
    return _find(field, name.strip(), categories, ("name",), errors, ambiguous=_(
        "Several categories are called “%(name)s”: write it as “Parent / %(name)s”."))


def _rows_for(names: dict) -> dict:
    """Replace the category, CI, service and customer names in `names` by rows.
    Only the names given are looked up; None stays None (nothing, or clear it)."""
    errors, rows = {}, {}
    for field in ("category", *NAMED):
        if field not in names:
            continue
        value = names[field]
        if value is None:
            rows[field] = None
        elif field == "category":
            rows[field] = _category(field, value, errors)
        else:
            model, lookups = NAMED[field]
            rows[field] = _find(field, value, model.objects.all(), lookups, errors)
    _raise_if(errors)
    return rows


def _raise_if(errors: dict) -> None:
    if errors:
        raise Invalid(fields=errors)


def _column(model, key: str, field: str = "name") -> Subquery:
    """`field` of the `model` row that the incident's `key` points to."""
    return Subquery(model.objects.filter(pk=OuterRef(key)).order_by().values(field)[:1])


def _open_stint(kind: str, field: str) -> Subquery:
    """`field` of the incident's running stint of `kind` (at most one)."""
    return Subquery(TeamStint.objects.filter(incident=OuterRef("pk"), kind=kind, ended_at=None)
                    .order_by().values(field)[:1])


# What IncidentRead shows of related records and linked incidents, as scalar
# subqueries rather than joins: the ten-table join took PostgreSQL ~9 ms to
# plan at 1M incidents, and Django ~350 model instances to build per page.
# Built once: composing them cost more than running them.
READABLE = {
    "category_name": _column(Category, "category_id"),
    "ci_name": _column(ConfigurationItem, "ci_id"),
    "service_name": _column(Service, "service_id"),
    "customer_name": _column(Customer, "customer_id"),
    "team_name": _column(Team, "team_id"),
    "team_tier": _column(Team, "team_id", "tier"),
    "assignee_username": _column(User, "assignee_id", "username"),
    "assignee_display_name": _column(User, "assignee_id", "display_name"),
    "priority_override_by_username": _column(User, "priority_override_by_id", "username"),
    "priority_override_by_display_name": _column(User, "priority_override_by_id",
                                                 "display_name"),
    "duplicate_of_number": _column(Incident, "duplicate_of_id", "number"),
    "copied_from_number": _column(Incident, "copied_from_id", "number"),
    "copy_number": Subquery(
        Incident.objects.filter(copied_from=OuterRef("pk")).order_by().values("number")[:1]
    ),
    "ola_started_at": _open_stint(StintKind.ASSIGNED, "started_at"),
    "ola_due_at": _open_stint(StintKind.ASSIGNED, "due_at"),
    "vendor_pending": _open_stint(StintKind.PENDING_ON_VENDOR, "team__name"),
    "vendor_due_at": _open_stint(StintKind.PENDING_ON_VENDOR, "due_at"),
}


def readable(incidents: QuerySet) -> QuerySet:
    """Annotated with READABLE for incident_read: no query per row."""
    return incidents.annotate(**READABLE)


def _sent(data, status: int = 200) -> HttpResponse:
    """`data` as ninja would render it. incident_read and friends already
    build the declared schema's shape; ninja would validate every field of
    it again (on a list page, 40% of the request's CPU)."""
    return HttpResponse(json.dumps(data, cls=NinjaJSONEncoder), status=status,
                        content_type="application/json; charset=utf-8")


def _read(incident: Incident) -> dict:
    """The incident as it is now, after an action (which returns a bare row)."""
    return incident_read(readable(Incident.objects).get(pk=incident.pk))


def _current(incident: Incident) -> HttpResponse:
    return _sent(_read(incident))


def _read_new(incident: Incident) -> dict:
    """A just-logged incident holds its related rows; it has no team, no
    assignee, no override and no links to other incidents yet."""
    for field in ("category", "ci", "service", "customer"):
        related = getattr(incident, field)
        setattr(incident, f"{field}_name", None if related is None else related.name)
    incident.team_name = incident.team_tier = None
    incident.assignee_username = incident.assignee_display_name = None
    incident.priority_override_by_username = incident.priority_override_by_display_name = None
    incident.duplicate_of_number = incident.copied_from_number = incident.copy_number = None
    incident.ola_started_at = incident.ola_due_at = None
    incident.vendor_pending = incident.vendor_due_at = None
    # As the client sent it, occurred_at may carry any offset; a re-read is in UTC.
    incident.occurred_at = incident.occurred_at.astimezone(UTC)
    return incident_read(incident)


def _split(values: list[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _priorities(values: list[str]) -> list[int]:
    try:
        return [int(value) for value in _split(values)]
    except ValueError:
        raise Invalid(fields={"priority": _("Priority must be 1, 2, 3 or 4.")}) from None


@router.post("", response={201: IncidentRead}, summary="Log an incident")
def create_incident(
    request,
    payload: IncidentCreate,
    idempotency_key: str | None = Header(
        None, alias="Idempotency-Key", max_length=200,
        description="Sending the same key and body again returns the same incident.",
    ),
):
    requester = payload.requester or Requester()
    fields = payload.model_dump(exclude={"requester"})
    fields.update(_rows_for(fields))
    incident = actions.log_incident(
        actor=request.auth,
        source=SOURCE,
        **fields,
        reporter_name=requester.name,
        reporter_email=requester.email,
        reporter_phone=requester.phone,
        idempotency_key=idempotency_key,
        idempotency_digest=idempotency.request_digest(payload.model_dump(mode="json")),
    )
    if incident.replayed:
        # The incident may be older and changed since.
        return _sent(_read(incident), 201)
    return _sent(_read_new(incident), 201)


@router.get("", response=IncidentPage, summary="List incidents")
def list_incidents(request, filters: Query[IncidentFilters]):
    """Newest first by default; follow `next_cursor` for the next page."""
    incidents = filter_incidents(
        visible_incidents(request.auth),
        status=_split(filters.status),
        priority=_priorities(filters.priority),
        team=filters.team,
        assignee=filters.assignee,
        customer=filters.customer,
        category=filters.category,
        ci=filters.ci,
        created_after=filters.created_after,
        created_before=filters.created_before,
        breached=filters.breached,
        q=filters.q,
    )
    page = page_of(incidents, sort=filters.sort, cursor=filters.cursor, limit=filters.limit,
                   shape=readable)
    return _sent({"items": [incident_read(row) for row in page.items],
                  "next_cursor": page.next_cursor})


@router.get("/{number}", response=IncidentRead, summary="Read an incident")
def read_incident(request, number: str):
    return _current(get_incident_for(request.auth, number))


@router.patch("/{number}", response=IncidentRead, summary="Edit fields")
def update_incident(request, number: str, payload: IncidentUpdate):
    """Impact or urgency changes recompute the priority (unless overridden)."""
    incident = get_incident_for(request.auth, number)
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    reporter = changes.pop("requester", None) or {}
    changes.update({f"reporter_{name}": value for name, value in reporter.items()})
    changes.update(_rows_for(changes))
    return _current(actions.update_incident(
        incident, actor=request.auth, source=SOURCE, expected_version=payload.version,
        changes=changes,
    ))


@router.get("/{number}/timeline", response=list[TimelineEventRead], summary="Timeline")
def incident_timeline(request, number: str):
    """Every event, oldest first. Requesters see the public ones only."""
    incident = get_incident_for(request.auth, number)
    events = timeline.events_of(incident, public_only=request.auth.is_requester)
    return [event_read(event) for event in events]


# Lifecycle actions: POST /{number}/actions/{action}.


@router.post("/{number}/actions/assign", response=IncidentRead, summary="Assign")
def assign(request, number: str, payload: AssignBody):
    """Dispatch or transfer to a team, optionally to one of its members."""
    incident = get_incident_for(request.auth, number)
    errors = {}
    team = _find("team", payload.team, Team.objects.all(), ("name",), errors)
    assignee = None
    if payload.assignee is not None:
        assignee = _find("assignee", payload.assignee, User.objects.all(), ("username",), errors)
    _raise_if(errors)
    return _current(actions.assign(
        incident, actor=request.auth, source=SOURCE, expected_version=payload.version,
        team=team, assignee=assignee, note=payload.note,
    ))


@router.post("/{number}/actions/accept", response=IncidentRead, summary="Accept (接收)")
def accept(request, number: str, payload: VersionedBody):
    incident = get_incident_for(request.auth, number)
    return _current(actions.accept(incident, actor=request.auth, source=SOURCE,
                                expected_version=payload.version))


@router.post("/{number}/actions/pend", response=IncidentRead, summary="Set pending")
def pend(request, number: str, payload: PendBody):
    """Waiting on a vendor names the vendor (by default the one assigned)."""
    incident = get_incident_for(request.auth, number)
    errors = {}
    vendor = None
    if payload.vendor is not None:
        vendor = _find("vendor", payload.vendor, Team.objects.all(), ("name",), errors)
    _raise_if(errors)
    return _current(actions.pend(
        incident, actor=request.auth, source=SOURCE, expected_version=payload.version,
        waiting_on=payload.waiting_on, reason=payload.reason, vendor=vendor,
    ))


@router.post("/{number}/actions/resume", response=IncidentRead, summary="Resume")
def resume(request, number: str, payload: NoteBody):
    incident = get_incident_for(request.auth, number)
    return _current(actions.resume(incident, actor=request.auth, source=SOURCE,
                                expected_version=payload.version, note=payload.note))


@router.post("/{number}/actions/resolve", response=IncidentRead, summary="Resolve")
def resolve(request, number: str, payload: ResolveBody):
    """Monitoring and system-transferred incidents close at once; the others
    wait for the requester's confirmation."""
    incident = get_incident_for(request.auth, number)
    rows = _rows_for({name: getattr(payload, name) for name in ("category", "ci")})
    return _current(actions.resolve(
        incident, actor=request.auth, source=SOURCE, expected_version=payload.version,
        closure_code=payload.closure_code, solution=payload.solution,
        business_recovered_at=payload.business_recovered_at,
        failure_vendor=payload.failure_vendor, resolver_role=payload.resolver_role,
        system_type=payload.system_type, **rows,
        problem=named_problem(request.auth, payload.problem),
    ))


@router.post("/{number}/actions/confirm", response=IncidentRead,
             summary="Record the requester's confirmation")
def confirm(request, number: str, payload: NoteBody):
    incident = get_incident_for(request.auth, number)
    return _current(actions.confirm(incident, actor=request.auth, source=SOURCE,
                                 expected_version=payload.version, note=payload.note))


@router.post("/{number}/actions/reject", response=RejectOutcome,
             summary="Record the requester's rejection")
def reject(request, number: str, payload: RejectBody):
    """Closes the incident as unsuccessful and opens a copy assigned back to
    whoever resolved it. Returns both: `incident` and `copy`."""
    incident = get_incident_for(request.auth, number)
    original, copy = actions.reject(incident, actor=request.auth, source=SOURCE,
                                    expected_version=payload.version, reason=payload.reason)
    return _sent({"incident": _read(original), "copy": _read(copy)})


@router.post("/{number}/actions/close", response=IncidentRead, summary="Close")
def close(request, number: str, payload: NoteBody):
    """Only for incidents that need no requester confirmation (staff-raised)."""
    incident = get_incident_for(request.auth, number)
    return _current(actions.close(incident, actor=request.auth, source=SOURCE,
                               expected_version=payload.version, note=payload.note))


@router.post("/{number}/actions/intervene", response=IncidentRead,
             summary="Intervene as a manager")
def intervene(request, number: str, payload: NoteBody):
    """An incident manager takes the ticket over and becomes its assignee (INC-13)."""
    incident = get_incident_for(request.auth, number)
    return _current(actions.intervene(incident, actor=request.auth, source=SOURCE,
                                   expected_version=payload.version, note=payload.note))


@router.post("/{number}/actions/arrive", response=IncidentRead,
             summary="Record arrival on site")
def arrive(request, number: str, payload: ArriveBody):
    """The on-site engineer (or their lead, or a manager) records when they
    reached the customer; the on-time KPI compares it with the deadline."""
    incident = get_incident_for(request.auth, number)
    return _current(actions.record_arrival(
        incident, actor=request.auth, source=SOURCE, expected_version=payload.version,
        arrived_at=payload.arrived_at, note=payload.note))


@router.post("/{number}/actions/link-duplicate", response=IncidentRead,
             summary="Link as duplicate")
def link_duplicate(request, number: str, payload: LinkDuplicateBody):
    """Resolving or closing the master later resolves or closes this one too."""
    incident = get_incident_for(request.auth, number)
    try:
        master = get_incident_for(request.auth, payload.master)
    except (NotFound, Forbidden) as error:
        raise Invalid(fields={"master": error.message}) from None
    return _current(actions.link_duplicate(incident, actor=request.auth, source=SOURCE,
                                        expected_version=payload.version, master=master))


@router.post("/{number}/actions/override-priority", response=IncidentRead,
             summary="Override or re-confirm the priority")
def override_priority(request, number: str, payload: OverridePriorityBody):
    incident = get_incident_for(request.auth, number)
    return _current(actions.override_priority(
        incident, actor=request.auth, source=SOURCE, expected_version=payload.version,
        priority=payload.priority, reason=payload.reason,
    ))


@router.post("/{number}/actions/comment", response=IncidentRead, summary="Comment")
def comment(request, number: str, payload: CommentBody):
    """`version` is optional: a comment does not change the record."""
    incident = get_incident_for(request.auth, number)
    return _current(actions.comment(incident, actor=request.auth, source=SOURCE,
                                 body=payload.body, public=payload.public,
                                 expected_version=payload.version))


@router.get("/{number}/attachments", response=list[AttachmentRead], summary="Attachments")
def list_attachments(request, number: str):
    """Requesters see only the public files of their own tickets."""
    incident = get_incident_for(request.auth, number)
    return [attachment_read(a) for a in attachments_for(request.auth, incident)]


@router.post("/{number}/attachments", response={201: AttachmentRead}, summary="Attach a file")
def add_attachment(request, number: str, file: File[UploadedFile], public: Form[bool] = True):
    """Multipart upload (field `file`); `public=false` keeps it internal."""
    incident = get_incident_for(request.auth, number)
    attachment = actions.add_attachment(incident, actor=request.auth, source=SOURCE,
                                        upload=file, public=public)
    return _sent(attachment_read(attachment), 201)


@router.get("/{number}/attachments/{attachment_id}", summary="Download an attachment")
def download_attachment(request, number: str, attachment_id: int):
    return attachment_response(get_attachment_for(request.auth, number, attachment_id))


@router.post("/{number}/actions/{action}", include_in_schema=False)
def unknown_action(request, number: str, action: str):
    # Registered last, so it only answers for names no endpoint above has.
    raise NotFound(_("There is no action called “%(action)s”.") % {"action": action})
