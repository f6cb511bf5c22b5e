"""Reading incidents. Every load of an incident for a user goes through
`get_incident_for`, every list through `visible_incidents`: requesters only
ever see their own tickets, and their organisation's where the customer
allows it."""

from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from opsdesk.core import clock
from opsdesk.core.errors import Forbidden, Invalid, NotFound
from opsdesk.core.pagination import Page, paginate

from .choices import UNRESOLVED_STATUSES, Status
from .models import Incident
from .similarity import similarity

LIST_RELATED = ("team", "assignee", "customer", "category", "ci", "service")

QUEUES = ("mine", "team", "unassigned", "open", "closed")
SORTS = {
    "newest": ["-id"],
    "oldest": ["id"],
    "priority": ["priority", "id"],
    "updated": ["-updated_at", "-id"],
}


def sees_organisation(user) -> bool:
    """Does this requester see every ticket of their customer (a customer setting)?"""
    return user.customer_id is not None and user.customer.requesters_see_organisation


def visible_incidents(user) -> QuerySet:
    if not user.is_authenticated or not user.is_active:
        return Incident.objects.none()
    if user.is_requester:
        if sees_organisation(user):
            return Incident.objects.filter(Q(requester=user) | Q(customer_id=user.customer_id))
        return Incident.objects.filter(requester=user)
    return Incident.objects.all()


def may_see(user, incident: Incident) -> bool:
    """visible_incidents for one loaded row, without another query."""
    if not user.is_authenticated or not user.is_active:
        return False
    if not user.is_requester or incident.requester_id == user.pk:
        return True
    return incident.customer_id == user.customer_id and sees_organisation(user)


def get_incident_for(user, number: str) -> Incident:
    """The one gate for loading an incident a user named."""
    incident = Incident.objects.select_related(*LIST_RELATED, "requester").filter(
        number=number
    ).first()
    if incident is None:
        raise NotFound(_("Incident %(number)s does not exist.") % {"number": number})
    if not may_see(user, incident):
        raise Forbidden(_("You may not see incident %(number)s.") % {"number": number})
    return incident


def queue(user, name: str) -> QuerySet:
    """The console's named queues."""
    incidents = visible_incidents(user)
    if name == "mine":
        return incidents.filter(assignee=user).exclude(status=Status.CLOSED)
    if name == "team":
        if user.team_id is None:
            return incidents.none()
        return incidents.filter(team_id=user.team_id).exclude(status=Status.CLOSED)
    if name == "unassigned":
        return incidents.filter(team=None).exclude(status=Status.CLOSED)
    if name == "open":
        return incidents.exclude(status=Status.CLOSED)
    if name == "closed":
        since = clock.now() - timedelta(days=7)
        return incidents.filter(status=Status.CLOSED, closed_at__gte=since)
    raise NotFound(_("There is no queue called %(name)s.") % {"name": name})


def breached_condition(now) -> Q:
    """A clock past its due instant, whether or not the sweep has flagged it yet."""
    return (
        Q(response_breached=True) | Q(resolve_breached=True)
        | Q(responded_at=None, response_due_at__lt=now)
        | Q(resolved_at=None, resolve_due_at__lt=now)
    )


def near_breach_condition(now) -> Q:
    """A running clock past its near-breach instant but not yet due, on a
    ticket with no missed target."""
    return (
        Q(responded_at=None, response_near_at__lte=now, response_due_at__gte=now)
        | Q(resolved_at=None, resolve_near_at__lte=now, resolve_due_at__gte=now)
    ) & Q(response_breached=False, resolve_breached=False)


def filter_incidents(
    incidents: QuerySet,
    *,
    status: list[str] | None = None,
    priority: list[int] | None = None,
    team: str | None = None,
    assignee: str | None = None,
    customer: str | None = None,
    category: str | None = None,
    ci: str | None = None,
    created_after: datetime | None = None,
    created_before: datetime | None = None,
    breached: bool | None = None,
    q: str | None = None,
) -> QuerySet:
    """Filters shared by the API list and the console queues. Teams, people,
    customers, categories and CIs are named as users see them."""
    errors = {}
    if status:
        unknown = [value for value in dict.fromkeys(status) if value not in Status.values]
        if unknown:
            errors["status"] = _("Unknown status: %(values)s.") % {"values": ", ".join(unknown)}
        incidents = incidents.filter(status__in=status)
    if priority:
        if set(priority) - {1, 2, 3, 4}:
            errors["priority"] = _("Priority must be 1, 2, 3 or 4.")
        incidents = incidents.filter(priority__in=priority)
    if errors:
        raise Invalid(fields=errors)
    if team:
        incidents = incidents.filter(team__name=team)
    if assignee:
        incidents = incidents.filter(assignee__username=assignee)
    if customer:
        incidents = incidents.filter(Q(customer__code=customer) | Q(customer__name=customer))
    if category:
        incidents = incidents.filter(category__name=category)
    if ci:
        incidents = incidents.filter(ci__name=ci)
    if created_after:
        incidents = incidents.filter(registered_at__gte=created_after)
    if created_before:
        incidents = incidents.filter(registered_at__lt=created_before)
    if breached is not None:
        condition = breached_condition(clock.now())
        incidents = incidents.filter(condition if breached else ~condition)
    if q:
        q = q.strip()
        if q.upper().startswith("INC-"):
            incidents = incidents.filter(number__istartswith=q)
        else:
            incidents = incidents.filter(Q(title__icontains=q) | Q(description__icontains=q))
    return incidents


def queue_rows(incidents: QuerySet) -> QuerySet:
    """What a queue page shows, as plain values: building model instances
    for each row and its five related records cost more than the queries."""
    return incidents.values(*QUEUE_COLUMNS)


QUEUE_COLUMNS = (
    "number", "priority", "title", "duplicate_of_id", "status", "is_vip", "registered_at",
    "customer__name", "team__name", "assignee__username", "assignee__display_name",
    # What the SLA badge reads (templatetags.sla_console.sla_badge).
    "sla_snapshot", "waiting_on", "responded_at", "response_due_at", "response_near_at",
    "response_breached", "resolved_at", "resolve_due_at", "resolve_near_at", "resolve_breached",
)


def page_of(incidents: QuerySet, *, sort: str = "newest", cursor: str | None, limit: int,
            shape) -> Page:
    """One page of `incidents`; `shape` turns a queryset of the page's
    incidents into the rows to return (model instances or values)."""
    if sort not in SORTS:
        raise Invalid(fields={"sort": _("Choose one of: %(options)s.")
                              % {"options": ", ".join(SORTS)}})
    if not 1 <= limit <= 200:
        raise Invalid(fields={"limit": _("Between 1 and 200.")})
    # Two steps: find the page's keys on the incident table alone, then load
    # those rows with their related records. Joined into the keyset query,
    # the ten related tables made PostgreSQL misjudge deep pages (it joined
    # every remaining open row before sorting: 0.7 s at 1M incidents).
    ordering = SORTS[sort]
    keys = incidents.select_related(None).values_list(
        *(name.lstrip("-") for name in ordering), named=True
    )
    page = paginate(keys, ordering, cursor, limit)
    if not page.items:
        return page
    rows = shape(Incident.objects.filter(pk__in=[key.id for key in page.items]))
    return Page(items=list(rows.order_by(*ordering)), next_cursor=page.next_cursor)


def duplicate_candidates(
    user, *, title: str, customer=None, ci=None, system_type: str = "", exclude=None,
    limit: int = 5,
) -> list[tuple[Incident, float]]:
    """Open tickets that may be the same incident (INC-04): unresolved, same
    customer, same CI or system, similar title or symptom. Best first."""
    if not title or not (customer or ci or system_type):
        return []
    incidents = visible_incidents(user).filter(status__in=UNRESOLVED_STATUSES, duplicate_of=None)
    if customer is not None:
        incidents = incidents.filter(customer=customer)
    same_thing = Q()
    if ci is not None:
        same_thing |= Q(ci=ci)
    if system_type:
        same_thing |= Q(system_type=system_type)
    if same_thing:
        incidents = incidents.filter(same_thing)
    if exclude is not None:
        incidents = incidents.exclude(pk=exclude.pk)
    # Bounded: the newest 200 open tickets of one customer and system.
    rows = incidents.select_related("ci", "team").order_by("-id")[:200]
    scored = [(row, similarity(title, f"{row.title} {row.symptoms}")) for row in rows]
    scored = [(row, score) for row, score in scored if score >= 0.2]
    scored.sort(key=lambda pair: (-pair[1], -pair[0].pk))
    return scored[:limit]


def attachments_for(user, incident: Incident) -> QuerySet:
    attachments = incident.attachments.select_related("uploaded_by")
    return attachments.filter(public=True) if user.is_requester else attachments


def get_attachment_for(user, number: str, attachment_id: int):
    incident = get_incident_for(user, number)
    attachment = attachments_for(user, incident).filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound(_("This attachment does not exist."))
    return attachment
