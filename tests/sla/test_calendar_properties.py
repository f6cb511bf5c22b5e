"""Properties of business time that must hold for any calendar and instants:
what `add_business_time` adds, `business_time_between` measures back, and
elapsed time is monotone and additive (the SLA clock sums intervals of it)."""

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from opsdesk.sla.calendar import (
    BusinessCalendar,
    Period,
    add_business_time,
    business_time_between,
)

# Zones with and without daylight saving; the instants cover years the official
# schedule knows (2025, 2026) and one it does not (2027).
ZONES = ["Asia/Shanghai", "Europe/Berlin", "America/New_York", "UTC"]
instants = st.datetimes(
    min_value=datetime(2025, 12, 1), max_value=datetime(2027, 2, 1), timezones=st.just(UTC)
)
durations = st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=300))
exception_dates = st.frozensets(
    st.dates(min_value=date(2025, 12, 1), max_value=date(2027, 3, 1)), max_size=20
)


@st.composite
def days(draw):
    """0-3 disjoint periods, on whole minutes, within one day."""
    bounds = sorted(draw(st.sets(st.integers(0, 24 * 60), max_size=6)))
    return tuple(Period(start, end) for start, end in zip(bounds[::2], bounds[1::2], strict=False))


@st.composite
def calendars(draw):
    if draw(st.integers(0, 4)) == 0:
        return BusinessCalendar(time_zone=draw(st.sampled_from(ZONES)), is_24x7=True)
    week = tuple(draw(days()) for _ in range(7))
    if not any(week):
        week = ((Period(9 * 60, 18 * 60),), *week[1:])
    holidays = draw(exception_dates)
    return BusinessCalendar(
        time_zone=draw(st.sampled_from(ZONES)),
        week=week,
        uses_chinese_holidays=draw(st.booleans()),
        extra_holidays=holidays,
        extra_workdays=draw(exception_dates) - holidays,
    )


@settings(max_examples=300, deadline=None)
@given(calendars(), instants, durations)
def test_the_time_between_start_and_due_is_the_duration(calendar, start, duration):
    due = add_business_time(calendar, start, duration)

    assert due >= start
    assert business_time_between(calendar, start, due) == duration


@settings(max_examples=300, deadline=None)
@given(calendars(), instants, durations, durations)
def test_a_longer_duration_is_never_due_earlier(calendar, start, one, other):
    shorter, longer = sorted([one, other])

    assert add_business_time(calendar, start, shorter) <= add_business_time(calendar, start, longer)


@settings(max_examples=300, deadline=None)
@given(calendars(), st.lists(instants, min_size=3, max_size=3))
def test_elapsed_time_is_additive_and_monotone(calendar, moments):
    first, middle, last = sorted(moments)

    before = business_time_between(calendar, first, middle)
    after = business_time_between(calendar, middle, last)
    whole = business_time_between(calendar, first, last)

    assert before + after == whole
    assert timedelta(0) <= before <= whole <= last - first


@settings(max_examples=100, deadline=None)
@given(instants, durations)
def test_a_24x7_calendar_counts_real_time(start, duration):
    calendar = BusinessCalendar(time_zone="Asia/Shanghai", is_24x7=True)

    assert add_business_time(calendar, start, duration) == start + duration
    assert business_time_between(calendar, start, start + duration) == duration


@settings(max_examples=200, deadline=None)
@given(calendars())
def test_every_calendar_survives_a_json_snapshot(calendar):
    assert BusinessCalendar.from_dict(calendar.to_dict()) == calendar
