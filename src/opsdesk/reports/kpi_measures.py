"""The arithmetic shapes of the KPIs, each a pair of database aggregates over
the rows of a source (incidents, calls, problems) and the filter that names
the rows behind the figure.

Conditions are given as functions of the period, since some (problems
opened in the period) depend on it; most ignore it."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DurationField, Q, Sum

Condition = Callable[..., Q]
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def everything(period) -> Q:
    return Q()


def rounded(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _count(condition: Q) -> Count:
    return Count("pk", filter=condition) if condition else Count("pk")


@dataclass(frozen=True)
class Tally:
    """How many rows meet `where`."""

    where: Condition = everything

    def aggregates(self, period) -> dict:
        return {"n": _count(self.where(period))}

    def result(self, row: dict) -> tuple:
        return Decimal(row["n"]), row["n"], None

    def rows(self, period, part: str) -> Q:
        return self.where(period)


@dataclass(frozen=True)
class Share:
    """Percentage: rows meeting `numerator` (and `denominator`) among the
    rows meeting `denominator`."""

    numerator: Condition
    denominator: Condition = everything

    def aggregates(self, period) -> dict:
        whole = self.denominator(period)
        return {"num": _count(whole & self.numerator(period)), "den": _count(whole)}

    def result(self, row: dict) -> tuple:
        num, den = row["num"], row["den"]
        value = rounded(HUNDRED * num / den) if den else None
        return value, num, den

    def rows(self, period, part: str) -> Q:
        whole = self.denominator(period)
        return whole & self.numerator(period) if part == "numerator" else whole


@dataclass(frozen=True)
class Mean:
    """Average of `amount` over the rows meeting `where`: a duration shown
    in `unit` ("hours" or "minutes"), or a plain number (a score)."""

    where: Condition
    amount: Callable  # () -> expression; a fresh one per query
    unit: str | None = None

    def aggregates(self, period) -> dict:
        where = self.where(period)
        output = DurationField() if self.unit else None
        return {"sum": Sum(self.amount(), filter=where, output_field=output),
                "den": _count(where)}

    def result(self, row: dict) -> tuple:
        total, den = row["sum"], row["den"]
        if not den or total is None:
            return None, None, den
        if isinstance(total, timedelta):
            seconds = Decimal(total.days * 86400 + total.seconds) + (
                Decimal(total.microseconds) / 1_000_000)
            total = seconds / (3600 if self.unit == "hours" else 60)
            return rounded(total / den), rounded(total), den
        return rounded(Decimal(total) / den), total, den

    def rows(self, period, part: str) -> Q:
        return self.where(period)


@dataclass(frozen=True)
class PerRow:
    """A sum spread over the rows: `amount` summed over `where`, as a
    percentage of the number of rows (complaints per 100 incidents). The
    rows behind the numerator are those with a non-zero amount."""

    where: Condition
    amount: str

    def aggregates(self, period) -> dict:
        where = self.where(period)
        return {"sum": Sum(self.amount, filter=where), "den": _count(where)}

    def result(self, row: dict) -> tuple:
        total, den = row["sum"] or 0, row["den"]
        value = rounded(HUNDRED * total / den) if den else None
        return value, total, den

    def rows(self, period, part: str) -> Q:
        where = self.where(period)
        return where & Q(**{f"{self.amount}__gt": 0}) if part == "numerator" else where
