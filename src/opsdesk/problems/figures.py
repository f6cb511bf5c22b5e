"""PRB-06: the monthly problem figures for the service report."""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.utils import timezone

from .models import Problem


@dataclass(frozen=True)
class MonthlyFigures:
    opened: int  # accepted in the month (proposals not yet accepted do not count)
    resolved: int  # solution identified in the month
    carried_over: int  # open at the start of the month
    # Of the month's work (carried over + opened), the share solved; None if none.
    resolution_rate: float | None


def _start(year: int, month: int) -> datetime:
    return timezone.make_aware(datetime.combine(date(year, month, 1), time.min))


def monthly_figures(year: int, month: int, *, customer=None) -> MonthlyFigures:
    """With `customer`: the problems linked to that customer's incidents."""
    start = _start(year, month)
    end = _start(year + month // 12, month % 12 + 1)
    problems = (Problem.objects.all() if customer is None
                else Problem.objects.filter(links__incident__customer=customer).distinct())
    opened = problems.filter(opened_at__gte=start, opened_at__lt=end).count()
    resolved = problems.filter(resolved_at__gte=start, resolved_at__lt=end).count()
    carried_over = (problems.filter(opened_at__lt=start)
                    .exclude(resolved_at__lt=start).count())
    workload = carried_over + opened
    rate = round(resolved / workload, 4) if workload else None
    return MonthlyFigures(opened, resolved, carried_over, rate)
