"""Deadlines, near-breach instants and time left in business time (sla.clock)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings

from opsdesk.sla.calendar import BusinessCalendar, business_time_between, week_from_dict
from opsdesk.sla.clock import ClockState, deadline, share, state, time_left

from .test_calendar_properties import calendars, durations, instants

SHANGHAI = ZoneInfo("Asia/Shanghai")
AROUND_THE_CLOCK = BusinessCalendar(time_zone="Asia/Shanghai", is_24x7=True)
WORKDAYS = BusinessCalendar(
    time_zone="Asia/Shanghai",
    week=week_from_dict({day: ["09:00-12:00", "13:00-18:00"]
                         for day in ("mon", "tue", "wed", "thu", "fri")}),
    uses_chinese_holidays=True,
)


def local(text: str) -> datetime:
    """'2026-11-23 10:00' in Shanghai."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def minutes(count: int) -> timedelta:
    return timedelta(minutes=count)


@pytest.mark.parametrize(("calendar", "start", "target", "paused", "due"), [
    # 7×24: wall-clock time, nights and Sundays included.
    (AROUND_THE_CLOCK, "2026-11-23 10:00", 60, 0, "2026-11-23 11:00"),
    (AROUND_THE_CLOCK, "2026-11-28 23:30", 60, 0, "2026-11-29 00:30"),
    (AROUND_THE_CLOCK, "2026-11-23 10:00", 60, 45, "2026-11-23 11:45"),
    # Working hours: the lunch break and the evening do not count.
    (WORKDAYS, "2026-11-23 10:00", 240, 0, "2026-11-23 15:00"),
    (WORKDAYS, "2026-11-27 17:00", 240, 0, "2026-11-30 12:00"),
    # Logged on a Saturday morning: the clock starts on Monday at nine.
    (WORKDAYS, "2026-11-28 08:00", 30, 0, "2026-11-30 09:30"),
    # An hour paused moves the deadline one business hour, across lunch.
    (WORKDAYS, "2026-11-23 10:00", 240, 60, "2026-11-23 16:00"),
    (WORKDAYS, "2026-11-23 16:00", 120, 120, "2026-11-24 11:00"),
    # National Day (1-7 October 2026) is closed; the 调休 Saturday after it is open.
    (WORKDAYS, "2026-09-30 17:00", 120, 0, "2026-10-08 10:00"),
    (WORKDAYS, "2026-10-09 17:00", 120, 0, "2026-10-10 10:00"),
])
def test_deadline(calendar, start, target, paused, due):
    assert deadline(calendar, local(start), minutes(target), minutes(paused)) == local(due)


@pytest.mark.parametrize(("calendar", "target", "percent", "near"), [
    (AROUND_THE_CLOCK, 60, 80, "2026-11-23 10:48"),
    (AROUND_THE_CLOCK, 5, 80, "2026-11-23 10:04"),
    # 80% of four hours is 3 h 12 min of working time: 2 h before lunch, 1 h 12 min after.
    (WORKDAYS, 240, 80, "2026-11-23 14:12"),
    # Half of it elapses as the morning ends, not when the afternoon starts.
    (WORKDAYS, 240, 50, "2026-11-23 12:00"),
])
def test_near_breach_instant_is_a_share_of_the_target(calendar, target, percent, near):
    start = local("2026-11-23 10:00")

    assert deadline(calendar, start, share(minutes(target), percent)) == local(near)


def test_share_keeps_whole_seconds():
    assert share(minutes(5), 80) == minutes(4)
    assert share(timedelta(seconds=7), 50) == timedelta(seconds=3)


@pytest.mark.parametrize(("calendar", "now", "due", "left"), [
    (AROUND_THE_CLOCK, "2026-11-23 10:00", "2026-11-23 11:20", 80),
    (AROUND_THE_CLOCK, "2026-11-23 11:35", "2026-11-23 11:20", -15),
    (AROUND_THE_CLOCK, "2026-11-23 11:20", "2026-11-23 11:20", 0),
    # Overnight only the working hours count: 17-18 and 9-10.
    (WORKDAYS, "2026-11-23 17:00", "2026-11-24 10:00", 120),
    # Overdue since Friday 17:45: 15 min on Friday, none at the weekend, 15 on Monday.
    (WORKDAYS, "2026-11-30 09:15", "2026-11-27 17:45", -30),
])
def test_time_left_is_business_time_and_negative_when_overdue(calendar, now, due, left):
    assert time_left(calendar, local(now), local(due)) == minutes(left)


@pytest.mark.parametrize(("now", "expected"), [
    ("2026-11-23 10:00", ClockState.OK),
    ("2026-11-23 10:47", ClockState.OK),
    ("2026-11-23 10:48", ClockState.NEAR),
    ("2026-11-23 11:00", ClockState.NEAR),
    ("2026-11-23 11:01", ClockState.BREACHED),
])
def test_state(now, expected):
    assert state(local(now), local("2026-11-23 10:48"), local("2026-11-23 11:00")) == expected


def test_state_without_a_near_instant_is_ok_until_breached():
    due = local("2026-11-23 11:00")

    assert state(local("2026-11-23 10:59"), None, due) == ClockState.OK
    assert state(local("2026-11-23 11:00:01"), None, due) == ClockState.BREACHED


@settings(max_examples=200, deadline=None)
@given(calendars(), instants, durations, durations, durations)
def test_a_longer_target_is_never_due_earlier(calendar, start, one, other, paused):
    shorter, longer = sorted([one, other])

    assert deadline(calendar, start, shorter, paused) <= deadline(calendar, start, longer, paused)


@settings(max_examples=200, deadline=None)
@given(calendars(), instants, durations, durations)
def test_pausing_never_makes_a_deadline_earlier(calendar, start, target, paused):
    running = deadline(calendar, start, target)
    with_pause = deadline(calendar, start, target, paused)

    assert with_pause >= running
    assert business_time_between(calendar, running, with_pause) == paused


@settings(max_examples=200, deadline=None)
@given(calendars(), instants, durations)
def test_time_left_counts_down_to_the_deadline(calendar, start, target):
    due = deadline(calendar, start, target)

    assert time_left(calendar, start, due) == business_time_between(calendar, start, due)
    assert time_left(calendar, due, due) == timedelta(0)
    assert time_left(calendar, due + timedelta(days=3), due) <= timedelta(0)


def test_instants_come_back_in_utc():
    due = deadline(AROUND_THE_CLOCK, local("2026-11-23 10:00"), minutes(60))

    assert due == datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
