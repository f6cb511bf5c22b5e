from django.db.models import Q

from . import calendar
from .models import BusinessCalendar, PriorityCell, SlaPolicy
from .priority import Matrix


def priority_matrix() -> Matrix:
    """The configured matrix. Twelve rows: cheap enough to read per action,
    and reading it fresh means an admin's edit applies at once."""
    cells = PriorityCell.objects.order_by().values_list("impact", "urgency", "priority")
    return {(impact, urgency): priority for impact, urgency, priority in cells}


def load_calendar(calendar_or_id: BusinessCalendar | int) -> calendar.BusinessCalendar:
    """The pure calendar of a row, with all its exceptions: one query given
    the row, two given its id."""
    row = (calendar_or_id if isinstance(calendar_or_id, BusinessCalendar)
           else BusinessCalendar.objects.get(pk=calendar_or_id))
    return row.to_calendar(row.exceptions.values_list("date", "kind"))


def policy_for(priority: int, customer_class: str, service_id: int | None) -> SlaPolicy | None:
    """The policy for an incident of this priority: the most specific match
    wins (service and class, service, class, then any), with its calendar."""
    candidates = (
        SlaPolicy.objects.filter(priority=priority)
        .filter(Q(service_id=service_id) | Q(service=None) if service_id else Q(service=None))
        .filter(Q(customer_class=customer_class) | Q(customer_class=""))
        .select_related("calendar")
    )
    return max(
        candidates,
        key=lambda policy: (policy.service_id is not None, policy.customer_class != ""),
        default=None,
    )
