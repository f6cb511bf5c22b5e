"""Reporting periods: half-open [start, end) spans of whole local days
(settings.TIME_ZONE, Asia/Shanghai by default), named by their grain.

A figure for "November 2026" counts what happened from 2026-11-01 00:00
Beijing time until before 2026-12-01 00:00, whatever the database's zone."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from opsdesk.core import clock
from opsdesk.core.errors import Invalid

GRAINS = ("day", "week", "month", "quarter", "year", "custom")
# A custom span longer than this is almost certainly a typo (20260 for 2026).
MAX_CUSTOM_DAYS = 366 * 5


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), local_zone())


def _month_start(year: int, month: int) -> date:
    return date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime
    grain: str

    # ------------------------------------------------------------ constructors

    @classmethod
    def _of(cls, first: date, after: date, grain: str) -> "Period":
        return cls(_midnight(first), _midnight(after), grain)

    @classmethod
    def day(cls, day: date) -> "Period":
        return cls._of(day, day + timedelta(days=1), "day")

    @classmethod
    def week(cls, day: date) -> "Period":
        monday = day - timedelta(days=day.weekday())
        return cls._of(monday, monday + timedelta(days=7), "week")

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        return cls._of(_month_start(year, month), _month_start(year, month + 1), "month")

    @classmethod
    def quarter(cls, year: int, quarter: int) -> "Period":
        first = 3 * (quarter - 1) + 1
        return cls._of(_month_start(year, first), _month_start(year, first + 3), "quarter")

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls._of(date(year, 1, 1), date(year + 1, 1, 1), "year")

    @classmethod
    def custom(cls, date_from: date, date_to: date) -> "Period":
        """From `date_from` to `date_to`, both days included."""
        return cls._of(date_from, date_to + timedelta(days=1), "custom")

    @classmethod
    def of_grain(cls, grain: str, day: date) -> "Period":
        """The period of `grain` that contains `day`."""
        if grain == "day":
            return cls.day(day)
        if grain == "week":
            return cls.week(day)
        if grain == "month":
            return cls.month(day.year, day.month)
        if grain == "quarter":
            return cls.quarter(day.year, (day.month - 1) // 3 + 1)
        return cls.year(day.year)

    @classmethod
    def current_month(cls) -> "Period":
        today = timezone.localdate(clock.now(), local_zone())
        return cls.month(today.year, today.month)

    @classmethod
    def parse(cls, query) -> "Period":
        """From ?period=month&year=2026&month=11 (also quarter=, date= for a
        day or week, year alone), or ?from=2026-11-01&to=2026-11-30; the
        current month when neither is given."""
        if query.get("from") or query.get("to"):
            first, last = _date(query, "from"), _date(query, "to")
            if last < first:
                raise Invalid(fields={"to": _("The end date is before the start date.")})
            if (last - first).days > MAX_CUSTOM_DAYS:
                raise Invalid(fields={"to": _("Choose at most five years.")})
            return cls.custom(first, last)
        grain = query.get("period") or ""
        if not grain:
            return cls.current_month()
        if grain in ("day", "week"):
            return cls.of_grain(grain, _date(query, "date"))
        if grain == "month":
            return cls.month(_number(query, "year", 1, 9999), _number(query, "month", 1, 12))
        if grain == "quarter":
            return cls.quarter(_number(query, "year", 1, 9999),
                               _number(query, "quarter", 1, 4))
        if grain == "year":
            return cls.year(_number(query, "year", 1, 9999))
        raise Invalid(fields={"period": _("Choose one of: %(options)s.") % {
            "options": ", ".join(g for g in GRAINS if g != "custom")}})

    # ------------------------------------------------------------ derived

    @property
    def first_day(self) -> date:
        return timezone.localdate(self.start, local_zone())

    @property
    def last_day(self) -> date:
        return timezone.localdate(self.end, local_zone()) - timedelta(days=1)

    def previous(self) -> "Period":
        first = self.first_day
        if self.grain == "custom":
            days = (self.last_day - first).days + 1
            return Period.custom(first - timedelta(days=days), first - timedelta(days=1))
        return Period.of_grain(self.grain, first - timedelta(days=1))

    def split(self, grain: str) -> list["Period"]:
        """The periods of `grain` that make up this one, the first and last
        cut to its bounds (a week that starts in October counts from
        November 1st in November's trend)."""
        parts, day = [], self.first_day
        while day <= self.last_day:
            whole = Period.of_grain(grain, day)
            parts.append(Period(max(whole.start, self.start), min(whole.end, self.end), grain))
            day = timezone.localdate(whole.end, local_zone())
        return parts

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end

    @property
    def label(self) -> str:
        first = self.first_day
        if self.grain == "month":
            return date_format(first, "YEAR_MONTH_FORMAT")
        if self.grain == "quarter":
            return _("Q%(quarter)d %(year)d") % {
                "quarter": (first.month - 1) // 3 + 1, "year": first.year}
        if self.grain == "year":
            return _("Year %(year)d") % {"year": first.year}
        if self.grain == "day":
            return first.isoformat()
        if self.grain == "week":
            return _("Week of %(date)s") % {"date": first.isoformat()}
        return _("%(first)s to %(last)s") % {"first": first.isoformat(),
                                             "last": self.last_day.isoformat()}

    def query_params(self) -> dict:
        first = self.first_day
        whole = self.grain != "custom" and Period.of_grain(self.grain, first) == self
        if not whole:
            return {"from": first.isoformat(), "to": self.last_day.isoformat()}
        if self.grain in ("day", "week"):
            return {"period": self.grain, "date": first.isoformat()}
        params = {"period": self.grain, "year": first.year}
        if self.grain == "month":
            params["month"] = first.month
        if self.grain == "quarter":
            params["quarter"] = (first.month - 1) // 3 + 1
        return params

    def query_string(self) -> str:
        return urlencode(self.query_params())


def _date(query, name: str) -> date:
    text = query.get(name) or ""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid(fields={name: _("Give a date as YYYY-MM-DD.")}) from None


def _number(query, name: str, low: int, high: int) -> int:
    text = query.get(name) or ""
    if not text.isdigit() or not low <= int(text) <= high:
        raise Invalid(fields={name: _("Give a whole number from %(low)d to %(high)d.") % {
            "low": low, "high": high}})
    return int(text)
