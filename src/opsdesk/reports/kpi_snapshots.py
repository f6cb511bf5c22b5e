"""Collected KPI figures: what the trend panel, the scorecard and the monthly
report's trends read instead of aggregating months of tickets per request.

As in ServiceNow's Performance Analytics, the scores of a month are
*collected* by the worker (KpiSnapshot, one row per month and scope) and
read back; whatever has no usable snapshot is computed live, so a figure is
never missing, only slower. A snapshot holds exactly what kpis.compute gave
for that month and filter set, and says when (`as_of`).

What the worker collects (`CollectKpiSnapshots`, in the slow lane):
- for the whole service, the current month again every CURRENT_REFRESH:
  its scorecard at a million incidents takes longer than a dashboard panel
  may (~0.7 s); one month narrowed to one team, service … is computed live
  in ~0.2 s;
- for the whole service and each value of the dashboards' filters
  (OPSDESK_KPI_BREAKDOWNS: each team, service, category, priority, channel
  and resolver role; not the customers, many and selective enough to be
  computed live), the last RECOLLECT_MONTHS completed months again every
  night (from local midnight: late closures and satisfaction surveys still
  change them), and the older months of the twelve-month trend once after
  they ended.

Each snapshot is claimed (SKIP LOCKED), computed and written in one
transaction: a worker that dies leaves it as it was, due again."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from opsdesk.core import clock
from opsdesk.core.choices import Tier
from opsdesk.core.claims import claim
from opsdesk.core.models import Category, Service, Team
from opsdesk.incidents.choices import Channel

from . import kpis
from .kpi_filters import Filters
from .kpi_snapshot_models import KpiSnapshot
from .periods import Period, local_zone

log = logging.getLogger("opsdesk.reports")

TREND_MONTHS = 12
RECOLLECT_MONTHS = 3
CURRENT_REFRESH = timedelta(minutes=5)
# A current-month snapshot older than this is not shown (the worker is
# down): the figures are computed live instead.
CURRENT_MAX_AGE = timedelta(minutes=15)
DEFAULT_BREAKDOWNS = ("team", "service", "category", "priority", "channel", "resolver_role")
BREAKDOWN_VALUES = {
    "team": lambda: Team.objects.order_by("pk").values_list("pk", flat=True),
    "service": lambda: Service.objects.order_by("pk").values_list("pk", flat=True),
    "category": lambda: Category.objects.order_by("pk").values_list("pk", flat=True),
    "priority": lambda: (1, 2, 3, 4),
    "channel": lambda: Channel.values,
    "resolver_role": lambda: Tier.values,
}


@dataclass(frozen=True)
class Collected:
    """Figures as kpis.compute returns them, and the time of the oldest
    snapshot among them (None: all computed just now)."""

    figures: list
    as_of: datetime | None = None


# ------------------------------------------------------------------ reading


def figures(keys, period: Period, filters: Filters | None = None, *,
            now: datetime | None = None) -> Collected:
    """kpis.compute(keys, period, filters=filters), from the snapshot when
    the period is a whole month that has a usable one."""
    filters = filters or Filters()
    snapshot = _usable(period, filters, now or clock.now())
    found = snapshot and _decoded(snapshot, keys, filters)
    if found is None:
        return Collected(kpis.compute(keys, period, filters=filters))
    return Collected(found, snapshot.collected_at)


def by_month(keys, span: Period, filters: Filters | None = None, *, live=(),
             now: datetime | None = None) -> Collected:
    """kpis.compute(keys, span, filters=filters, group_by="month"), each
    month from its snapshot where it has a usable one. Months in `live` are
    computed whatever their snapshot (a report's own month, to agree with
    its KPI table)."""
    filters, now = filters or Filters(), now or clock.now()
    result, times = [], []
    for month in span.split("month"):
        snapshot = None if month in live else _usable(month, filters, now)
        found = snapshot and _decoded(snapshot, keys, filters)
        if found is None:
            found = kpis.compute(keys, month, filters=filters)
        else:
            times.append(snapshot.collected_at)
        label = kpis.group_label("month", month.first_day, span)
        result += [kpis.Figure(f.key, f.value, f.numerator, f.denominator,
                               group=month.first_day, group_label=label, met=f.met,
                               group_by="month")
                   for f in found]
    order = {key: index for index, key in enumerate(kpis.KPIS)}
    result.sort(key=lambda f: (order[f.key], f.group))
    return Collected(result, min(times, default=None))


def _usable(period: Period, filters: Filters, now: datetime) -> KpiSnapshot | None:
    first = period.first_day
    if period != Period.month(first.year, first.month):
        return None
    snapshot = (KpiSnapshot.objects.filter(month=first, scope=filters.query_string())
                .exclude(collected_at=None).first())
    if snapshot is None:
        return None
    complete = snapshot.collected_at >= period.end
    return snapshot if complete or snapshot.collected_at >= now - CURRENT_MAX_AGE else None


def _decoded(snapshot: KpiSnapshot, keys, filters: Filters) -> list | None:
    """The snapshot's figures of `keys`; None when it lacks one that applies
    (a KPI added since it was collected)."""
    stored = {row[0]: row for row in snapshot.figures}
    wanted = [kpi for kpi in kpis.definitions(keys) if kpis.applies(kpi, filters, None)]
    if any(kpi.key not in stored for kpi in wanted):
        return None
    result = []
    for kpi in wanted:
        _key, value, numerator, denominator = stored[kpi.key]
        value = _number(value)
        result.append(kpis.Figure(kpi.key, value, _number(numerator), denominator,
                                  met=kpi.meets(value)))
    return result


def _number(stored):
    return Decimal(stored) if isinstance(stored, str) else stored


def _stored(number):
    return str(number) if isinstance(number, Decimal) else number


# ------------------------------------------------------------------ collecting


def scopes() -> list[Filters]:
    """The filter sets collected: the whole service, then each breakdown."""
    names = getattr(settings, "OPSDESK_KPI_BREAKDOWNS", DEFAULT_BREAKDOWNS)
    return [Filters(), *(Filters(**{name: value})
                         for name in names for value in BREAKDOWN_VALUES[name]())]


def _months(now: datetime) -> list[Period]:
    """The trend's months, oldest first, ending with the current one."""
    today = timezone.localdate(now, local_zone())
    index = today.year * 12 + today.month - 1
    return [Period.month(n // 12, n % 12 + 1)
            for n in range(index - TREND_MONTHS + 1, index + 1)]


def _stale(months: list[Period], now: datetime) -> Q:
    """Snapshots due for collection: never collected, or collected before
    the instant each month's rule asks for."""
    midnight = Period.day(timezone.localdate(now, local_zone())).start
    due = Q(collected_at=None)
    for age, month in enumerate(reversed(months)):
        if age == 0:
            since = now - CURRENT_REFRESH
        elif age <= RECOLLECT_MONTHS:
            since = max(midnight, month.end)
        else:
            since = month.end
        due |= Q(month=month.first_day, collected_at__lt=since)
    return Q(month__in=[month.first_day for month in months]) & due


def _ensure(months: list[Period]) -> None:
    """Rows for every snapshot wanted: the current month of the whole
    service, the completed months of every scope."""
    wanted = {(months[-1].first_day, Filters().query_string())} | {
        (month.first_day, filters.query_string())
        for month in months[:-1] for filters in scopes()}
    present = set(KpiSnapshot.objects.filter(month__in=[m for m, _scope in wanted])
                  .values_list("month", "scope"))
    KpiSnapshot.objects.bulk_create(
        [KpiSnapshot(month=month, scope=scope) for month, scope in sorted(wanted - present)],
        ignore_conflicts=True)


def collect_one(now: datetime | None = None) -> KpiSnapshot | None:
    """Collect the most recent due snapshot; None when none is due."""
    now = now or clock.now()
    months = _months(now)
    _ensure(months)
    with transaction.atomic():
        claimed = claim(KpiSnapshot.objects.filter(_stale(months, now)), 1,
                        order_by=("-month", "scope"))
        if not claimed:
            return None
        snapshot = KpiSnapshot.objects.get(pk=claimed[0])
        collect(snapshot, now)
    return snapshot


def collect(snapshot: KpiSnapshot, now: datetime) -> None:
    """Compute and store the snapshot's figures as of `now`; the caller
    holds its row."""
    month = Period.month(snapshot.month.year, snapshot.month.month)
    filters = Filters.parse(QueryDict(snapshot.scope))
    snapshot.figures = [[f.key, _stored(f.value), _stored(f.numerator), f.denominator]
                        for f in kpis.compute(None, month, filters=filters)]
    snapshot.collected_at = now
    snapshot.save(update_fields=["figures", "collected_at"])


def collect_again(snapshots) -> int:
    """Mark `snapshots` (a queryset) due, after tickets were corrected: until
    collected again they are not read, the figures are computed live. Only
    the trend's months are collected again; how many of them were marked."""
    snapshots.update(collected_at=None)
    return snapshots.filter(month__in=[month.first_day for month in _months(clock.now())]) \
        .count()


class CollectKpiSnapshots:
    """The worker's handler: one due snapshot per call."""

    name = "kpi-snapshots"
    slow = True  # a month's KPIs at a million incidents take about a second

    def handle_one(self) -> bool:
        snapshot = collect_one()
        if snapshot is None:
            return False
        log.info("%s: %s", self.name, snapshot)
        return True


def as_of_note(as_of: datetime | None) -> str:
    """'' for live figures, else when they were collected."""
    if as_of is None:
        return ""
    moment = timezone.localtime(as_of, local_zone())
    return _("Figures as of %(time)s.") % {"time": moment.strftime("%Y-%m-%d %H:%M")}
