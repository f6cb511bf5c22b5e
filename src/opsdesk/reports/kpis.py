"""The KPI engine (issue 6): every figure of seed 004 §5.11 for a period,
filtered and grouped, computed by aggregation in the database — one query
per source of rows (incidents, calls, problems) whatever the number of
tickets, or one per sub-period where a row belongs to no single instant —
and the rows behind each figure for the drill-down.

The definitions are in kpi_definitions, the row sources in kpi_sources."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from opsdesk.core.choices import Tier
from opsdesk.core.errors import Invalid
from opsdesk.core.models import Category, Customer, Service, Team
from opsdesk.incidents.choices import Channel

from . import kpi_availability
from .kpi_definitions import AVAILABILITY, KPIS, SECTIONS, KpiDefinition
from .kpi_filters import GROUPINGS, TIME_GROUPINGS, Filters
from .kpi_sources import INCIDENTS
from .periods import Period

__all__ = ["GROUPINGS", "KPIS", "SECTIONS", "Figure", "Filters", "KpiDefinition", "compute",
           "drilldown_url", "tickets"]
PARTS = ("numerator", "denominator")
FENCE = 2**62
NAMED_GROUPS = {"team": Team, "customer": Customer, "service": Service, "category": Category}


@dataclass(frozen=True)
class Figure:
    key: str
    value: Decimal | None
    numerator: int | Decimal | None
    denominator: int | None
    group: object = None
    group_label: str = ""
    met: bool | None = None
    group_by: str | None = None

    @property
    def kpi(self) -> KpiDefinition:
        return KPIS[self.key]


def definitions(keys) -> list[KpiDefinition]:
    if keys is None:
        return list(KPIS.values())
    unknown = [key for key in keys if key not in KPIS]
    if unknown:
        raise Invalid(fields={"kpi": _("Unknown KPI: %(keys)s.") % {"keys": ", ".join(unknown)}})
    wanted = set(keys)
    return [kpi for kpi in KPIS.values() if kpi.key in wanted]


def applies(kpi: KpiDefinition, filters: Filters, group_by: str | None) -> bool:
    """Whether the KPI can be narrowed and grouped so: calls know only their
    customer, problems their team and service, availability is per service."""
    if kpi.source == AVAILABILITY:
        return group_by in (None, "service", *TIME_GROUPINGS)
    return kpi.source.supports(filters, group_by)


def compute(keys, period: Period, *, filters: Filters | None = None,
            group_by: str | None = None) -> list[Figure]:
    """The figures of `keys` (None: all) in KPIS order, then by group. A KPI
    that cannot be filtered or grouped as asked is left out."""
    filters = filters or Filters()
    kpis = [kpi for kpi in definitions(keys) if applies(kpi, filters, group_by)]
    by_source: dict = {}
    for kpi in kpis:
        by_source.setdefault(kpi.source if kpi.source != AVAILABILITY else AVAILABILITY,
                             []).append(kpi)
    figures = []
    with transaction.atomic():
        _without_jit()
        for source, members in by_source.items():
            if source == AVAILABILITY:
                figures += _availability(members[0], period, filters, group_by)
            else:
                figures += _aggregate(source, members, period, filters, group_by)
    order = {key: index for index, key in enumerate(KPIS)}
    figures.sort(key=lambda f: (order[f.key], f.group is None, _sortable(f.group)))
    return _labelled(figures, period, group_by)


def _without_jit() -> None:
    """PostgreSQL compiles a query this wide (sixty aggregates, eight
    subqueries) with JIT once its estimate passes jit_above_cost: ~3 s of
    compiling for a query that runs in less. Off for this transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")


def _sortable(group):
    return group if group is not None else 0


def _aggregate(source, kpis, period, filters, group_by) -> list[Figure]:
    def aggregates(part: Period) -> dict:
        return {f"k{index}_{name}": expression
                for index, kpi in enumerate(kpis)
                for name, expression in kpi.measure.aggregates(part).items()}

    rows = source.rows(period, filters)
    if group_by is None:
        results = [(None, fenced(rows).aggregate(**aggregates(period)))]
    elif group_by in TIME_GROUPINGS and not source.truncates:
        results = [(part.first_day,
                    fenced(source.rows(part, filters)).aggregate(**aggregates(part)))
                   for part in period.split(group_by)]
    else:
        grouped = (rows.annotate(kpi_group=_group_field(source, group_by)).values("kpi_group")
                   .annotate(**aggregates(period)).order_by("kpi_group"))
        results = [(row["kpi_group"], row) for row in grouped]
    figures = []
    for group, row in results:
        for index, kpi in enumerate(kpis):
            prefix = f"k{index}_"
            mine = {name[len(prefix):]: value for name, value in row.items()
                    if name.startswith(prefix)}
            value, numerator, denominator = kpi.measure.result(mine)
            figures.append(Figure(kpi.key, value, numerator, denominator, group=group,
                                  met=kpi.meets(value), group_by=group_by))
    return figures


def fenced(rows: QuerySet) -> QuerySet:
    """The rows as a subquery PostgreSQL will not pull up into the aggregate:
    pulled up, each per-row flag (kpi_flags) would be evaluated again in
    every aggregate that reads it. A LIMIT is the planner's fence."""
    return rows[:FENCE]


def _group_field(source, group_by):
    expression = source.group_expression(group_by)
    return F(expression) if isinstance(expression, str) else expression


def _availability(kpi, period, filters, group_by) -> list[Figure]:
    if group_by in TIME_GROUPINGS:
        rows = [(part.first_day, *kpi_availability.availability(
            part, filters, per_service=False)[0][1:]) for part in period.split(group_by)]
    else:
        rows = kpi_availability.availability(period, filters,
                                             per_service=group_by == "service")
    figures = []
    for group, up, total in rows:
        value = (Decimal(100) * up / total).quantize(Decimal("0.01")) if total else None
        figures.append(Figure(kpi.key, value, up if total else None, total, group=group,
                              met=kpi.meets(value), group_by=group_by))
    return figures


# ------------------------------------------------------------------ labels


def _labelled(figures: list[Figure], period: Period, group_by: str | None) -> list[Figure]:
    if group_by is None:
        return figures
    names = {}
    if group_by in NAMED_GROUPS:
        ids = {f.group for f in figures if f.group is not None}
        names = dict(NAMED_GROUPS[group_by].objects.filter(pk__in=ids)
                     .values_list("pk", "name"))
    return [Figure(f.key, f.value, f.numerator, f.denominator, group=f.group,
                   group_label=group_label(group_by, f.group, period, names), met=f.met,
                   group_by=group_by)
            for f in figures]


def group_label(group_by: str, group, period: Period, names: dict | None = None) -> str:
    if group is None or group == "":
        return _("(none)")
    if group_by in TIME_GROUPINGS:
        return sub_period(period, group_by, group).label
    if group_by == "priority":
        return f"P{group}"
    if group_by == "channel":
        return str(Channel(group).label) if group in Channel.values else group
    if group_by == "resolver_role":
        return str(Tier(group).label) if group in Tier.values else group
    if names is None and group_by in NAMED_GROUPS:
        names = dict(NAMED_GROUPS[group_by].objects.filter(pk=group).values_list("pk", "name"))
    return (names or {}).get(group, str(group))


def sub_period(period: Period, grain: str, day: date) -> Period:
    whole = Period.of_grain(grain, day)
    return Period(max(whole.start, period.start), min(whole.end, period.end), grain)


# ------------------------------------------------------------------ drill-down


def tickets(key: str, period: Period, *, filters: Filters | None = None, group=None,
            group_by: str | None = None, part: str = "numerator") -> QuerySet:
    """The rows behind a figure: Incident rows, CallRecord rows for the phone
    KPIs, Problem rows for the problem KPIs; newest first. `group` is the
    figure's group of `group_by` (None with a grouping: rows without one)."""
    kpi = definitions([key])[0]
    if part not in PARTS:
        raise Invalid(fields={"part": _("Choose one of: %(options)s.") % {
            "options": ", ".join(PARTS)}})
    filters = filters or Filters()
    if group_by in TIME_GROUPINGS:
        period = sub_period(period, group_by, group)
    if kpi.source == AVAILABILITY:
        rows = kpi_availability.outages(period, filters)
        source = INCIDENTS
    else:
        source = kpi.source
        rows = source.rows(period, filters).filter(kpi.measure.rows(period, part))
    if group_by is not None and group_by not in TIME_GROUPINGS:
        rows = rows.filter(**{source.fields[group_by]: group})
    return rows.order_by(f"-{source.date_field}", "-pk")


def drilldown_url(key: str, period: Period, *, filters: Filters | None = None, group=None,
                  group_by: str | None = None, part: str = "numerator") -> str:
    """The console page listing tickets(…) with the same arguments."""
    params = {**period.query_params(), **(filters or Filters()).active()}
    if group_by is not None:
        params["group_by"] = group_by
        params["group"] = "" if group is None else (
            group.isoformat() if isinstance(group, date) else group)
    if part != "numerator":
        params["part"] = part
    return f"{reverse('reports:kpi_tickets', args=[key])}?{urlencode(params)}"


def figure_url(figure: Figure, period: Period, filters: Filters | None = None,
               part: str = "numerator") -> str:
    return drilldown_url(figure.key, period, filters=filters, group=figure.group,
                         group_by=figure.group_by, part=part)
