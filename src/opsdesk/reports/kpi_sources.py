"""The rows the KPIs count: where they come from, which filters and groupings
apply to them, and how a period selects them.

- Incidents: seed 004's 事件总数 — not marked as a duplicate, occurred in the
  period (by occurrence time, not registration: a ticket logged on
  December 1st for a fault of November 30th counts in November).
- Calls: inbound calls offered in the period.
- Problems: the period's workload — accepted before the period ends and not
  solved before it starts (proposals not yet accepted never count)."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import DateField, Q, QuerySet
from django.db.models.functions import Trunc

from opsdesk.calls.models import CallRecord, Direction
from opsdesk.incidents.models import Incident
from opsdesk.problems.models import Problem

from .kpi_filters import TIME_GROUPINGS, Filters
from .kpi_flags import INCIDENT_FLAGS
from .periods import Period, local_zone


@dataclass(frozen=True, eq=False)
class Source:
    model: type
    date_field: str
    # Filter (and grouping) name → the field it reads; the others do not apply.
    fields: dict
    # The rows of a period, before filters.
    scope: Callable[[Period], Q]
    # Time groupings in one query (Trunc of the date field), or one query
    # per sub-period (when a row's period is not one instant, or per-row
    # flags make a grouped query slow).
    truncates: bool = True
    # Per-row subqueries the conditions refer to by name (kpi_flags).
    flags: dict = field(default_factory=dict)

    def supports(self, filters: Filters, group_by: str | None) -> bool:
        if any(name not in self.fields for name in filters.active()):
            return False
        return group_by is None or group_by in TIME_GROUPINGS or group_by in self.fields

    def rows(self, period: Period, filters: Filters) -> QuerySet:
        lookups = {self.fields[name]: value for name, value in filters.active().items()}
        rows = self.model.objects.filter(self.scope(period), **lookups)
        return rows.annotate(**{name: make() for name, make in self.flags.items()})

    def group_expression(self, group_by: str):
        if group_by in TIME_GROUPINGS:
            return Trunc(self.date_field, group_by, output_field=DateField(),
                         tzinfo=local_zone())
        return self.fields[group_by]


def _in_period(date_field: str) -> Callable[[Period], Q]:
    return lambda period: Q(**{f"{date_field}__gte": period.start,
                               f"{date_field}__lt": period.end})


def _incidents_of(period: Period) -> Q:
    return _in_period("occurred_at")(period) & Q(duplicate_of=None)


def _calls_of(period: Period) -> Q:
    return _in_period("offered_at")(period) & Q(direction=Direction.INBOUND)


def _problem_workload(period: Period) -> Q:
    return (Q(opened_at__lt=period.end)
            & (Q(resolved_at=None) | Q(resolved_at__gte=period.start)))


INCIDENT_FIELDS = {name: name for name in (
    "team", "customer", "service", "category", "priority", "channel", "resolver_role")}

# By time one query per sub-period: each can then aggregate over the
# per-row flags computed once (kpis.fenced), which a GROUP BY cannot.
INCIDENTS = Source(Incident, "occurred_at", INCIDENT_FIELDS, _incidents_of, truncates=False,
                   flags=INCIDENT_FLAGS)
CALLS = Source(CallRecord, "offered_at", {"customer": "customer"}, _calls_of)
PROBLEMS = Source(Problem, "opened_at", {"team": "team", "service": "service"},
                  _problem_workload, truncates=False)
