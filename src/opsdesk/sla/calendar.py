"""Business calendars and business-time arithmetic (INC-09, SLM-02). Pure: no database access.

A calendar is either open around the clock (7×24) or open during working
periods per weekday, in its own time zone. Which local dates are open is
decided, first rule that applies:

1. the calendar's own exceptions: an extra holiday closes the date, an extra
   working day opens it with the make-up hours (below);
2. with `uses_chinese_holidays`, the official State Council (国务院办公厅)
   schedule as shipped by the `chinese-calendar` package: a public holiday
   closes the date, a make-up working day (调休) opens it with the make-up
   hours. chinese-calendar 1.11.0 knows the years 2004-2026
   (`OFFICIAL_YEARS`); for a year it does not know, this rule is skipped and
   the weekday rule applies, so New Year's Day 2027 counts as an ordinary
   Friday until the package is upgraded or an admin enters the published
   notice as extra holidays and working days;
3. the weekday's working periods.

Make-up hours: a make-up or extra working day works a Monday's periods (or,
on a calendar closed on Mondays, those of the first weekday after it that has
any). The official notices say such a Saturday or Sunday is worked "as a
working day"; Monday is the ordinary working day of every calendar that
follows them, and taking it keeps a half-day Saturday shift, if a calendar
has one, from shortening a full make-up day.

Instants go in and come out as aware datetimes, in UTC. Working periods are
wall-clock times in the calendar's zone and are turned into instants per
day, so a day with a daylight-saving change has one hour more or less.
"""

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import chinese_calendar
from django.utils.translation import gettext as _

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60
OFFICIAL_YEARS = range(
    min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1
)
ONE_DAY = timedelta(days=1)
NOTHING = timedelta(0)

_PERIOD = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")
_SEPARATORS = re.compile(r"[,，;；]")


class CalendarError(ValueError):
    """A calendar definition that cannot be used; the message is for the admin."""


class NoWorkingTime(CalendarError):
    pass


class Period(NamedTuple):
    """Open from `start` to `end`, in minutes after local midnight; an end
    of 1440 is midnight at the end of the day (written 24:00)."""

    start: int
    end: int

    def __str__(self):
        return f"{_clock(self.start)}-{_clock(self.end)}"


Day = tuple[Period, ...]
Week = tuple[Day, ...]
CLOSED_WEEK: Week = ((),) * 7


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_periods(text: str) -> Day:
    """'09:00-12:00, 13:00-18:00' → the periods of one day; '' → closed."""
    periods = []
    for part in _SEPARATORS.split(text):
        if not part.strip():
            continue
        match = _PERIOD.match(part.strip())
        if not match:
            raise CalendarError(
                _("“%(text)s” is not a period: write it as 09:00-12:00.") % {"text": part.strip()}
            )
        start_h, start_m, end_h, end_m = map(int, match.groups())
        start, end = start_h * 60 + start_m, end_h * 60 + end_m
        if start_m > 59 or end_m > 59 or end > MINUTES_PER_DAY:
            raise CalendarError(
                _("“%(text)s” is not within one day (00:00 to 24:00).") % {"text": part.strip()}
            )
        periods.append(Period(start, end))
    return check_day(periods)


def check_day(periods) -> Day:
    """Sorted periods of one day; each must end after it starts, none may overlap."""
    ordered = sorted(Period(*period) for period in periods)
    for period in ordered:
        if not 0 <= period.start < period.end <= MINUTES_PER_DAY:
            raise CalendarError(
                _("The period %(period)s must end after it starts, within one day.")
                % {"period": period}
            )
    for earlier, later in pairwise(ordered):
        if later.start < earlier.end:
            raise CalendarError(
                _("The periods %(first)s and %(second)s overlap.")
                % {"first": earlier, "second": later}
            )
    return tuple(ordered)


def week_from_dict(hours: Mapping[str, list[str]]) -> Week:
    """{"mon": ["09:00-12:00", "13:00-18:00"], …} → a week; a missing day is closed."""
    unknown = [day for day in hours if day not in WEEKDAYS]
    if unknown:
        raise CalendarError(
            _("Unknown weekdays in the working hours: %(days)s.") % {"days": ", ".join(unknown)}
        )
    return tuple(parse_periods(", ".join(hours.get(day, []))) for day in WEEKDAYS)


def week_to_dict(week: Week) -> dict[str, list[str]]:
    return {day: [str(period) for period in periods]
            for day, periods in zip(WEEKDAYS, week, strict=True) if periods}


def zone_named(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise CalendarError(
            _("“%(name)s” is not a time zone; use a name such as Asia/Shanghai.")
            % {"name": name}
        ) from None


@dataclass(frozen=True)
class BusinessCalendar:
    """When the clock of a service level runs. A 7×24 calendar is always
    open: working hours, holidays and exceptions do not apply to it."""

    time_zone: str
    is_24x7: bool = False
    week: Week = CLOSED_WEEK
    uses_chinese_holidays: bool = False
    extra_holidays: frozenset[date] = field(default_factory=frozenset)
    extra_workdays: frozenset[date] = field(default_factory=frozenset)
    name: str = ""
    zone: ZoneInfo = field(init=False, repr=False, compare=False)
    make_up_hours: Day = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "zone", zone_named(self.time_zone))
        if len(self.week) != 7:
            raise CalendarError("a week has seven days")
        object.__setattr__(self, "week", tuple(check_day(periods) for periods in self.week))
        object.__setattr__(self, "make_up_hours", next(filter(None, self.week), ()))
        if self.is_24x7 and any(self.week):
            raise CalendarError(
                _("A 7×24 calendar is always open: leave its working hours empty.")
            )
        if not self.is_24x7 and not any(self.week):
            raise NoWorkingTime(
                _("A working-hours calendar needs working periods on at least one weekday.")
            )
        both = self.extra_holidays & self.extra_workdays
        if both:
            raise CalendarError(
                _("%(date)s cannot be both an extra holiday and an extra working day.")
                % {"date": min(both).isoformat()}
            )

    def hours_on(self, day: date) -> Day:
        """The working periods of a local date, after holidays and exceptions."""
        if day in self.extra_holidays:
            return ()
        if day in self.extra_workdays:
            return self.make_up_hours
        if self.uses_chinese_holidays and day.year in OFFICIAL_YEARS:
            if day in chinese_calendar.holidays:
                return ()
            if day in chinese_calendar.workdays:
                return self.make_up_hours
        return self.week[day.weekday()]

    def open_intervals(self, day: date) -> Iterator[tuple[datetime, datetime]]:
        """The day's open intervals as UTC instants, in order and disjoint."""
        previous_close = None
        for period in self.hours_on(day):
            opens = self._instant(day, period.start)
            closes = self._instant(day, period.end)
            # Around a daylight-saving jump two wall-clock periods can map to
            # overlapping instants; counting the overlap once keeps sums exact.
            if previous_close is not None:
                opens = max(opens, previous_close)
            if closes > opens:
                yield opens, closes
                previous_close = closes

    def _instant(self, day: date, minutes: int) -> datetime:
        if minutes == MINUTES_PER_DAY:
            day, minutes = day + ONE_DAY, 0
        local = datetime(day.year, day.month, day.day, minutes // 60, minutes % 60,
                         tzinfo=self.zone)
        return local.astimezone(UTC)

    def to_dict(self) -> dict:
        """A JSON-ready snapshot; `from_dict` gives back an equal calendar."""
        return {
            "name": self.name,
            "time_zone": self.time_zone,
            "is_24x7": self.is_24x7,
            "working_hours": week_to_dict(self.week),
            "uses_chinese_holidays": self.uses_chinese_holidays,
            "extra_holidays": sorted(day.isoformat() for day in self.extra_holidays),
            "extra_workdays": sorted(day.isoformat() for day in self.extra_workdays),
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> "BusinessCalendar":
        return cls(
            name=data["name"],
            time_zone=data["time_zone"],
            is_24x7=data["is_24x7"],
            week=week_from_dict(data["working_hours"]),
            uses_chinese_holidays=data["uses_chinese_holidays"],
            extra_holidays=frozenset(map(date.fromisoformat, data["extra_holidays"])),
            extra_workdays=frozenset(map(date.fromisoformat, data["extra_workdays"])),
        )


def add_business_time(calendar: BusinessCalendar, start: datetime,
                      duration: timedelta) -> datetime:
    """The instant at which `duration` of business time has elapsed after
    `start`. Time counts from the first opening at or after `start`; a zero
    duration has elapsed at `start` itself."""
    start = _utc(start)
    if duration < NOTHING:
        raise ValueError("duration must not be negative")
    if calendar.is_24x7 or duration == NOTHING:
        return start + duration
    remaining = duration
    day = start.astimezone(calendar.zone).date()
    # Ends: the calendar has working periods on some weekday (checked when it
    # was built) and exceptions and official holidays are finite lists.
    while True:
        for opens, closes in calendar.open_intervals(day):
            if closes <= start:
                continue
            begin = max(opens, start)
            if remaining <= closes - begin:
                return begin + remaining
            remaining -= closes - begin
        day += ONE_DAY


def business_time_between(calendar: BusinessCalendar, start: datetime,
                          end: datetime) -> timedelta:
    """Business time elapsed from `start` to `end`; nothing if end <= start."""
    start, end = _utc(start), _utc(end)
    if end <= start:
        return NOTHING
    if calendar.is_24x7:
        return end - start
    total = NOTHING
    day = start.astimezone(calendar.zone).date()
    last_day = end.astimezone(calendar.zone).date()
    while day <= last_day:
        for opens, closes in calendar.open_intervals(day):
            overlap = min(closes, end) - max(opens, start)
            if overlap > NOTHING:
                total += overlap
        day += ONE_DAY
    return total


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("business-time arithmetic needs aware datetimes")
    return moment.astimezone(UTC)
