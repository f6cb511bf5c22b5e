"""服务系统无故障率 (seed 004 §5.11 item 7): failure-free time / service time.

The rule, per service:
- service time is the period, around the clock (7×24), up to now for the
  current period; every service in the catalogue is in service all along;
- a failure is a fault (kind 故障, not a duplicate) on the service, from its
  occurrence time until business recovery (业务恢复时间), else its resolution,
  else its closure, else still going; only the part inside the period
  counts, so an outage that spans two months is split between them;
- failures that overlap count once: the union of the intervals.

The union is taken in the database in one pass: ordered by start within a
service, an interval adds only what reaches beyond the latest end before
it, max(0, end − max(start, latest earlier end)) — a window function."""

from django.db import connection
from django.db.models import F, FloatField, Func, Max, Q, QuerySet, Value, Window
from django.db.models.expressions import RowRange
from django.db.models.functions import Coalesce, Greatest, Least

from opsdesk.core import clock
from opsdesk.core.models import Service
from opsdesk.incidents.choices import Kind
from opsdesk.incidents.models import Incident

from .kpi_filters import Filters
from .kpi_sources import INCIDENTS
from .periods import Period


class EpochSeconds(Func):
    """Seconds since 1970 of a timestamp, as a float, on both databases."""

    output_field = FloatField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="EXTRACT(EPOCH FROM %(expressions)s)",
                           **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection,
                           template="((julianday(%(expressions)s) - 2440587.5) * 86400.0)",
                           **extra)


def _service_end(period: Period):
    return min(period.end, clock.now())


def recovery():
    """When the failure ended: business recovery, else resolution. Indexed
    for faults (incidents migration 0008, `incident_fault_recovered`)."""
    return Coalesce("business_recovered_at", "resolved_at")


def outages(period: Period, filters: Filters) -> QuerySet:
    """The faults whose failure overlaps the period (the rows behind the figure)."""
    lookups = {INCIDENTS.fields[name]: value for name, value in filters.active().items()}
    return Incident.objects.alias(recovered=recovery()).filter(
        Q(kind=Kind.FAULT, duplicate_of=None, service__isnull=False,
          occurred_at__lt=_service_end(period)),
        Q(recovered=None) | Q(recovered__gt=period.start),
        # A fault closed without a recorded recovery or resolution (imported
        # history has them) ended at the latest when it was closed.
        Q(closed_at=None) | Q(closed_at__gt=period.start),
        **lookups,
    )


def _outage_seconds(period: Period, filters: Filters) -> dict[int, int]:
    """Per service id, the seconds of the period some failure covered."""
    start, end = period.start.timestamp(), _service_end(period).timestamp()
    intervals = outages(period, filters).annotate(
        s=Greatest(EpochSeconds("occurred_at"), Value(start)),
        e=Least(Coalesce(EpochSeconds("business_recovered_at"), EpochSeconds("resolved_at"),
                         EpochSeconds("closed_at"), Value(end)), Value(end)),
    ).annotate(
        reached=Window(Max("e"), partition_by=[F("service_id")],
                       order_by=[F("s").asc(), F("id").asc()], frame=RowRange(end=-1)),
    ).values("service_id", "s", "e", "reached")
    inner, params = intervals.query.sql_with_params()
    beyond = "CASE WHEN reached IS NOT NULL AND reached > s THEN reached ELSE s END"
    sql = (f"SELECT service_id, SUM(CASE WHEN e > {beyond} THEN e - {beyond} ELSE 0 END) "
           f"FROM ({inner}) AS failure GROUP BY service_id")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {service: round(seconds) for service, seconds in cursor.fetchall()}


def availability(period: Period, filters: Filters, *, per_service: bool) -> list[tuple]:
    """(service id or None, up seconds, service seconds) for the whole
    catalogue (or the filtered service), or for each service."""
    span = max(0, round(_service_end(period).timestamp() - period.start.timestamp()))
    services = Service.objects.order_by("pk")
    if filters.service is not None:
        services = services.filter(pk=filters.service)
    ids = list(services.values_list("pk", flat=True))
    down = _outage_seconds(period, filters) if span else {}
    if per_service:
        return [(pk, span - down.get(pk, 0), span) for pk in ids]
    return [(None, span * len(ids) - sum(down.get(pk, 0) for pk in ids), span * len(ids))]
