"""SLA deadlines in business time (INC-09). Pure: no database access.

A clock runs on one calendar from the registration instant. Its deadline is
where the target, plus the business time it spent paused, has elapsed: a
pause of two business hours moves the deadline two business hours later,
whatever the calendar does in between. The near-breach instant is the same
arithmetic with a share of the target (80% by default), so a sweep can find
tickets close to their limit by an indexed column instead of by computing.
"""

from datetime import datetime, timedelta
from enum import StrEnum

from .calendar import NOTHING, BusinessCalendar, add_business_time, business_time_between


class ClockState(StrEnum):
    OK = "ok"
    NEAR = "near"
    BREACHED = "breached"


def deadline(calendar: BusinessCalendar, start: datetime, target: timedelta,
             paused: timedelta = NOTHING) -> datetime:
    """When `target` of running business time has elapsed after `start`,
    the clock having stood still for `paused` business time meanwhile."""
    return add_business_time(calendar, start, target + paused)


def share(target: timedelta, percent: int) -> timedelta:
    """`percent` of a target, to the whole second (the near-breach point)."""
    return timedelta(seconds=target.total_seconds() * percent // 100)


def time_left(calendar: BusinessCalendar, now: datetime, due: datetime) -> timedelta:
    """Business time until `due`; negative, by the business time overdue, after it."""
    if now <= due:
        return business_time_between(calendar, now, due)
    return -business_time_between(calendar, due, now)


def state(now: datetime, near_at: datetime | None, due_at: datetime) -> ClockState:
    """Breached once the deadline has passed, near from the near-breach instant on."""
    if now > due_at:
        return ClockState.BREACHED
    if near_at is not None and now >= near_at:
        return ClockState.NEAR
    return ClockState.OK
