"""Hand-built records for the KPI tests: each row is written with exactly the
fields a KPI reads, so that every expected figure can be worked out by hand
in the test next to it."""

import itertools
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from opsdesk.calls.models import CallRecord
from opsdesk.core.choices import Tier
from opsdesk.incidents.models import Incident, StintKind, TeamStint
from opsdesk.problems.models import Problem
from opsdesk.reports import kpis
from opsdesk.reports.periods import Period

SHANGHAI = ZoneInfo("Asia/Shanghai")
OCTOBER = Period.month(2026, 10)
NOVEMBER = Period.month(2026, 11)


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    """A Beijing time in 2026."""
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


class Records:
    _numbers = itertools.count(1)  # unique across instances

    def __init__(self, cast):
        self.cast = cast

    def incident(self, occurred: datetime, **fields) -> Incident:
        values = {
            "kind": "fault", "channel": "phone", "title": "测试事件", "impact": "medium",
            "urgency": "high", "matrix_priority": 3, "priority": 3, "status": "new",
            "customer": self.cast.customer, "is_vip": True, "category": self.cast.category,
            "service": self.cast.service, "registered_at": occurred, "updated_at": occurred,
        }
        values.update(fields)
        return Incident.objects.create(number=f"INC-T-{next(self._numbers):05d}",
                                       occurred_at=occurred, **values)

    def resolved(self, occurred: datetime, hours: float, **fields) -> Incident:
        """Resolved `hours` after registration, closed successfully by default."""
        values = {"status": "closed", "closure_code": "successful",
                  "resolver_role": Tier.SERVICE_DESK}
        values.update(fields)
        registered = values.pop("registered_at", occurred)
        return self.incident(occurred, registered_at=registered,
                             resolved_at=registered + timedelta(hours=hours), **values)

    def stint(self, incident, team, started: datetime, **fields) -> TeamStint:
        values = {"tier": team.tier, "kind": StintKind.ASSIGNED}
        values.update(fields)
        return TeamStint.objects.create(incident=incident, team=team, started_at=started,
                                        **values)

    def call(self, offered: datetime, answer_seconds: int | None = None, **fields):
        answered = (offered + timedelta(seconds=answer_seconds)
                    if answer_seconds is not None else None)
        return CallRecord.objects.create(
            source="pbx", external_id=f"C{next(self._numbers)}", offered_at=offered,
            answered_at=answered, answer_seconds=answer_seconds, **fields)

    def problem(self, opened: datetime | None, resolved: datetime | None = None, **fields):
        created = opened or at(1, 1)
        return Problem.objects.create(
            number=f"PRB-T-{next(self._numbers):05d}", title="测试问题", source="trend_analysis",
            created_at=created, updated_at=created, opened_at=opened, resolved_at=resolved,
            **fields)


def figure(key: str, period: Period = NOVEMBER, **options) -> kpis.Figure:
    (only,) = kpis.compute([key], period, **options)
    return only


def value(key: str, period: Period = NOVEMBER, **options) -> Decimal | None:
    return figure(key, period, **options).value


def numbers(key: str, period: Period = NOVEMBER, **options) -> tuple:
    """(value, numerator, denominator) of an ungrouped figure."""
    result = figure(key, period, **options)
    return result.value, result.numerator, result.denominator


def grouped(key: str, group_by: str, period: Period = NOVEMBER, **options) -> dict:
    """group → (value, numerator, denominator)."""
    return {f.group: (f.value, f.numerator, f.denominator)
            for f in kpis.compute([key], period, group_by=group_by, **options)}


def rows(key: str, period: Period = NOVEMBER, **options) -> set[str]:
    """The numbers (or call IDs) of the rows behind a figure."""
    found = kpis.tickets(key, period, **options)
    return {getattr(row, "number", None) or row.external_id for row in found}


def pct(numerator: int, denominator: int) -> Decimal:
    return (Decimal(100) * numerator / denominator).quantize(Decimal("0.01"))
