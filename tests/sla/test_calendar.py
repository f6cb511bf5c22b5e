"""Business-time arithmetic, case by case. Every expectation is worked out by
hand in the text beside it: working days are 09:00-12:00 and 13:00-18:00 in
Beijing (8 hours), and the 2026 dates are those of the State Council
(国务院办公厅) notice on the 2026 public holidays and make-up working days."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from opsdesk.sla.calendar import (
    OFFICIAL_YEARS,
    BusinessCalendar,
    CalendarError,
    NoWorkingTime,
    add_business_time,
    business_time_between,
    parse_periods,
    week_from_dict,
)

BEIJING = ZoneInfo("Asia/Shanghai")
OFFICE_HOURS = {day: ["09:00-12:00", "13:00-18:00"] for day in ("mon", "tue", "wed", "thu", "fri")}
WORKDAYS = BusinessCalendar(
    name="工作日 09:00-18:00", time_zone="Asia/Shanghai", week=week_from_dict(OFFICE_HOURS),
    uses_chinese_holidays=True,
)
AROUND_THE_CLOCK = BusinessCalendar(name="7×24", time_zone="Asia/Shanghai", is_24x7=True)


def beijing(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BEIJING)


def hours(value: float) -> timedelta:
    return timedelta(hours=value)


def with_exceptions(holidays=(), workdays=(), uses_chinese_holidays=True) -> BusinessCalendar:
    return BusinessCalendar(
        time_zone="Asia/Shanghai", week=week_from_dict(OFFICE_HOURS),
        uses_chinese_holidays=uses_chinese_holidays,
        extra_holidays=frozenset(map(date.fromisoformat, holidays)),
        extra_workdays=frozenset(map(date.fromisoformat, workdays)),
    )


ADD_CASES = [
    # An ordinary week (2026-11-20 is a Friday).
    ("P3 logged Friday 17:30, 4 h: ½ h Friday, 3 h Monday morning, ½ h after lunch",
     "2026-11-20 17:30", 4, "2026-11-23 13:30"),
    ("inside the morning", "2026-11-23 10:00", 1, "2026-11-23 11:00"),
    ("across the lunch break", "2026-11-23 11:30", 1, "2026-11-23 13:30"),
    ("logged during lunch: counts from 13:00", "2026-11-23 12:15", 0.5, "2026-11-23 13:30"),
    ("logged before opening: counts from 09:00", "2026-11-23 07:00", 2, "2026-11-23 11:00"),
    ("logged after closing: counts from 09:00 next day", "2026-11-23 19:00", 1,
     "2026-11-24 10:00"),
    ("logged on Saturday: counts from Monday 09:00", "2026-11-21 10:00", 1, "2026-11-23 10:00"),
    ("exactly one working day ends at 18:00, not next morning", "2026-11-23 09:00", 8,
     "2026-11-23 18:00"),
    ("20 h: Monday 8, Tuesday 8, Wednesday 3 + 1", "2026-11-23 09:00", 20, "2026-11-25 14:00"),
    ("logged at closing time", "2026-11-23 18:00", 0.5, "2026-11-24 09:30"),
    # Mid-Autumn (9/25-27) and National Day (10/1-7); make-up days Sun 9/20 and Sat 10/10.
    ("Friday 9/18 17:30, 1 h: ½ h, then make-up Sunday 9/20 from 09:00", "2026-09-18 17:30", 1,
     "2026-09-20 09:30"),
    ("Thursday 9/24 at closing, 1 h: Mid-Autumn Fri-Sun closed", "2026-09-24 18:00", 1,
     "2026-09-28 10:00"),
    ("Wednesday 9/30 17:00, 4 h: 1 h, then Thursday 10/8 09:00-12:00", "2026-09-30 17:00", 4,
     "2026-10-08 12:00"),
    ("Wednesday 9/30 17:00, 8 h: 1 h, then 3 h + 4 h on 10/8", "2026-09-30 17:00", 8,
     "2026-10-08 17:00"),
    ("logged on National Day 10/3: counts from 10/8", "2026-10-03 11:00", 2, "2026-10-08 11:00"),
    ("Friday 10/9 17:00, 2 h: 1 h, then make-up Saturday 10/10", "2026-10-09 17:00", 2,
     "2026-10-10 10:00"),
    ("make-up Saturday 10/10 17:00, 2 h: 1 h, Sunday closed, Monday", "2026-10-10 17:00", 2,
     "2026-10-12 10:00"),
    # Spring Festival 2/15-23; make-up Saturdays 2/14 and 2/28.
    ("Friday 2/13 17:00, 2 h: 1 h, then make-up Saturday 2/14", "2026-02-13 17:00", 2,
     "2026-02-14 10:00"),
    ("make-up Saturday 2/14 16:00, 4 h: 2 h, nine days closed, Tuesday 2/24", "2026-02-14 16:00",
     4, "2026-02-24 11:00"),
    ("Friday 2/27 at closing, 8 h: the whole make-up Saturday 2/28", "2026-02-27 18:00", 8,
     "2026-02-28 18:00"),
    # Labour Day 5/1-5 with make-up Saturday 5/9; Dragon Boat 6/19-21; Qingming 4/4-6.
    ("Thursday 4/30 17:00, 2 h: 1 h, closed 5/1-5/5, Wednesday 5/6", "2026-04-30 17:00", 2,
     "2026-05-06 10:00"),
    ("Friday 5/8 17:00, 2 h: 1 h, then make-up Saturday 5/9", "2026-05-08 17:00", 2,
     "2026-05-09 10:00"),
    ("Thursday 6/18 17:00, 2 h: Dragon Boat Fri-Sun closed", "2026-06-18 17:00", 2,
     "2026-06-22 10:00"),
    ("Friday 4/3 17:00, 2 h: Qingming Sat-Mon closed", "2026-04-03 17:00", 2,
     "2026-04-07 10:00"),
    # Year ends. 2026 New Year: 1/1-3 closed, Sunday 1/4 a make-up day.
    ("Wednesday 2025-12-31 17:00, 3 h: 1 h, then make-up Sunday 2026-01-04",
     "2025-12-31 17:00", 3, "2026-01-04 11:00"),
    ("Wednesday 2025-12-31 09:00, 24 h: 8 h, 1/4 8 h, Monday 1/5 8 h", "2025-12-31 09:00", 24,
     "2026-01-05 18:00"),
    # The package knows no 2027 schedule: the weekday rule applies, so
    # Friday 2027-01-01 counts as a working day (see the local-exception case below).
    ("Thursday 2026-12-31 17:00, 2 h: 1 h, then Friday 2027-01-01 by weekday",
     "2026-12-31 17:00", 2, "2027-01-01 10:00"),
]


@pytest.mark.parametrize(("case", "start", "duration", "due"), ADD_CASES,
                         ids=[case[0] for case in ADD_CASES])
def test_adding_business_time(case, start, duration, due):
    result = add_business_time(WORKDAYS, beijing(start), hours(duration))

    assert result == beijing(due)
    assert result.tzinfo is UTC


@pytest.mark.parametrize(("case", "start", "duration", "due"), ADD_CASES,
                         ids=[case[0] for case in ADD_CASES])
def test_the_time_between_start_and_due_is_the_duration(case, start, duration, due):
    assert business_time_between(WORKDAYS, beijing(start), beijing(due)) == hours(duration)


BETWEEN_CASES = [
    ("Friday 17:30 to Monday 13:30: ½ + 3 + ½", "2026-11-20 17:30", "2026-11-23 13:30", 4),
    ("a weekend", "2026-11-21 10:00", "2026-11-22 20:00", 0),
    ("a whole day from before opening to after closing", "2026-11-23 08:00", "2026-11-23 20:00",
     8),
    ("inside the lunch break", "2026-11-23 12:10", "2026-11-23 12:50", 0),
    ("from the middle of the morning into the lunch break", "2026-11-23 11:15",
     "2026-11-23 12:45", 0.75),
    ("over National Day: only 9/30 counts", "2026-09-30 09:00", "2026-10-08 09:00", 8),
    ("over the Spring Festival: 2/13, make-up 2/14, nothing until 2/24", "2026-02-13 09:00",
     "2026-02-24 09:00", 16),
    ("over the 2026 New Year: 12/31 and make-up Sunday 1/4", "2025-12-31 09:00",
     "2026-01-05 09:00", 16),
    # 2026 has 261 weekdays; 19 of them are public holidays (1/1-2, six in the Spring Festival,
    # 4/6, 5/1, 5/4-5, 6/19, 9/25, five in National Day) and six make-up days are worked
    # (1/4, 2/14, 2/28, 5/9, 9/20, 10/10): 248 working days of 8 hours.
    ("the whole of 2026", "2026-01-01 00:00", "2027-01-01 00:00", 248 * 8),
    ("end before start", "2026-11-23 12:00", "2026-11-23 10:00", 0),
    ("end equals start", "2026-11-23 10:00", "2026-11-23 10:00", 0),
]


@pytest.mark.parametrize(("case", "start", "end", "elapsed"), BETWEEN_CASES,
                         ids=[case[0] for case in BETWEEN_CASES])
def test_business_time_between(case, start, end, elapsed):
    assert business_time_between(WORKDAYS, beijing(start), beijing(end)) == hours(elapsed)


def test_the_official_schedule_is_known_to_2026_and_2027_falls_back_to_weekdays():
    assert OFFICIAL_YEARS[0] == 2004
    assert OFFICIAL_YEARS[-1] == 2026
    # Friday 2027-01-01 and Saturday 2027-01-02 by the weekday rule.
    assert WORKDAYS.hours_on(date(2027, 1, 1)) == WORKDAYS.week[4]
    assert WORKDAYS.hours_on(date(2027, 1, 2)) == ()


def test_a_newer_notice_entered_as_exceptions_applies_where_the_package_has_no_data():
    new_year_2027 = with_exceptions(holidays=["2027-01-01"])

    due = add_business_time(new_year_2027, beijing("2026-12-31 17:00"), hours(2))

    assert due == beijing("2027-01-04 10:00")  # Friday 1/1 closed, then the weekend


def test_an_extra_holiday_closes_an_ordinary_working_day():
    annual_meeting = with_exceptions(holidays=["2026-11-23"])

    due = add_business_time(annual_meeting, beijing("2026-11-20 17:00"), hours(2))

    assert due == beijing("2026-11-24 10:00")  # Friday 1 h, Monday closed, Tuesday 1 h


def test_an_extra_working_day_opens_a_saturday_with_monday_hours():
    stocktaking = with_exceptions(workdays=["2026-11-21"])

    assert add_business_time(stocktaking, beijing("2026-11-20 17:00"), hours(5)) == (
        beijing("2026-11-21 14:00")  # Friday 1 h, Saturday 09:00-12:00 and 13:00-14:00
    )


def test_a_local_exception_overrides_the_official_schedule():
    on_duty_on_national_day = with_exceptions(workdays=["2026-10-01"])
    off_on_the_make_up_saturday = with_exceptions(holidays=["2026-10-10"])

    assert add_business_time(on_duty_on_national_day, beijing("2026-09-30 17:00"), hours(2)) == (
        beijing("2026-10-01 10:00")
    )
    assert add_business_time(off_on_the_make_up_saturday, beijing("2026-10-09 17:00"),
                             hours(2)) == beijing("2026-10-12 10:00")


def test_a_calendar_closed_on_mondays_works_make_up_days_with_the_next_weekdays_hours():
    week = {day: ["10:00-16:00"] for day in ("tue", "wed", "thu", "fri")} | {"sat": ["10:00-12:00"]}
    tuesday_to_saturday = BusinessCalendar(time_zone="Asia/Shanghai", uses_chinese_holidays=True,
                                           week=week_from_dict(week))

    # Friday 10/9 15:00 + 4 h: 1 h, then 3 h of Tuesday's hours on make-up Saturday 10/10.
    assert add_business_time(tuesday_to_saturday, beijing("2026-10-09 15:00"), hours(4)) == (
        beijing("2026-10-10 13:00")
    )


def test_periods_given_out_of_order_are_put_in_order():
    afternoon_first = (parse_periods("13:00-18:00") + parse_periods("09:00-12:00"),)

    assert BusinessCalendar(time_zone="Asia/Shanghai", week=afternoon_first + ((),) * 6) == (
        BusinessCalendar(time_zone="Asia/Shanghai", week=week_from_dict(
            {"mon": ["09:00-12:00", "13:00-18:00"]}))
    )


def test_without_chinese_holidays_national_day_is_a_plain_thursday():
    weekdays_only = with_exceptions(uses_chinese_holidays=False)

    assert add_business_time(weekdays_only, beijing("2026-09-30 17:00"), hours(2)) == (
        beijing("2026-10-01 10:00")
    )
    assert add_business_time(weekdays_only, beijing("2026-10-09 17:00"), hours(2)) == (
        beijing("2026-10-12 10:00")  # Saturday 10/10 is just a Saturday
    )


def test_a_24x7_calendar_is_plain_addition_through_nights_and_holidays():
    start = beijing("2026-09-30 17:30")

    assert add_business_time(AROUND_THE_CLOCK, start, hours(4)) == beijing("2026-09-30 21:30")
    assert add_business_time(AROUND_THE_CLOCK, start, hours(24 * 8)) == (
        beijing("2026-10-08 17:30")
    )
    assert business_time_between(AROUND_THE_CLOCK, beijing("2025-12-31 23:00"),
                                 beijing("2026-01-01 01:00")) == hours(2)


def test_a_zero_duration_has_elapsed_at_the_start_itself():
    saturday = beijing("2026-11-21 10:00")

    assert add_business_time(WORKDAYS, saturday, timedelta(0)) == saturday


def test_the_same_instant_in_another_zone_gives_the_same_due_time():
    friday_in_utc = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)  # 17:30 in Beijing

    assert add_business_time(WORKDAYS, friday_in_utc, hours(4)) == beijing("2026-11-23 13:30")


def test_a_calendar_in_another_zone_counts_its_own_local_hours():
    berlin = BusinessCalendar(time_zone="Europe/Berlin",
                              week=week_from_dict({"mon": ["09:00-17:00"]}))
    # Monday 2026-11-23 09:00 in Berlin (CET, UTC+1) is 16:00 in Beijing.
    assert add_business_time(berlin, beijing("2026-11-23 12:00"), hours(1)) == (
        datetime(2026, 11, 23, 9, tzinfo=UTC)
    )


def test_a_daylight_saving_day_has_23_hours():
    sundays = BusinessCalendar(time_zone="Europe/Berlin",
                               week=week_from_dict({"sun": ["00:00-24:00"]}))
    berlin = ZoneInfo("Europe/Berlin")
    # Clocks go forward on Sunday 2026-03-29: the whole day is 23 hours long.
    day_start = datetime(2026, 3, 29, tzinfo=berlin)
    next_day = datetime(2026, 3, 30, tzinfo=berlin)

    assert business_time_between(sundays, day_start, next_day) == hours(23)
    assert add_business_time(sundays, datetime(2026, 3, 28, 12, tzinfo=berlin), hours(23)) == (
        next_day
    )


def test_naive_datetimes_and_negative_durations_are_refused():
    with pytest.raises(ValueError, match="aware"):
        add_business_time(WORKDAYS, datetime(2026, 11, 23, 10), hours(1))
    with pytest.raises(ValueError, match="aware"):
        business_time_between(WORKDAYS, beijing("2026-11-23 10:00"), datetime(2026, 11, 24))
    with pytest.raises(ValueError, match="negative"):
        add_business_time(WORKDAYS, beijing("2026-11-23 10:00"), hours(-1))


@pytest.mark.parametrize(("text", "periods"), [
    ("09:00-12:00, 13:00-18:00", ["09:00-12:00", "13:00-18:00"]),
    ("13:00-18:00，9:00-12:00", ["09:00-12:00", "13:00-18:00"]),
    ("22:00 - 24:00", ["22:00-24:00"]),
    ("", []),
])
def test_working_periods_are_read_from_text(text, periods):
    assert [str(period) for period in parse_periods(text)] == periods


@pytest.fixture(autouse=True)
def english():
    """Messages are matched in English; the zh-Hans default is tested elsewhere."""
    with translation.override("en"):
        yield


@pytest.mark.parametrize(("text", "message"), [
    ("9-12", "is not a period"),
    ("09:00-12:60", "within one day"),
    ("20:00-25:00", "within one day"),
    ("18:00-09:00", "must end after it starts"),
    ("09:00-09:00", "must end after it starts"),
    ("09:00-12:00, 11:00-13:00", "overlap"),
])
def test_bad_working_periods_are_refused(text, message):
    with pytest.raises(CalendarError, match=message):
        parse_periods(text)


def test_a_calendar_without_any_working_time_is_refused():
    with pytest.raises(NoWorkingTime, match="at least one weekday"):
        BusinessCalendar(time_zone="Asia/Shanghai", week=week_from_dict({}))


@pytest.mark.parametrize(("settings", "message"), [
    ({"time_zone": "Asia/Beijing"}, "not a time zone"),
    ({"is_24x7": True, "week": week_from_dict(OFFICE_HOURS)}, "always open"),
    ({"extra_holidays": frozenset([date(2026, 11, 23)]),
      "extra_workdays": frozenset([date(2026, 11, 23)])}, "both"),
])
def test_inconsistent_calendars_are_refused(settings, message):
    fields = {"time_zone": "Asia/Shanghai", "week": week_from_dict(OFFICE_HOURS)} | settings
    with pytest.raises(CalendarError, match=message):
        BusinessCalendar(**fields)


def test_a_calendar_survives_a_json_snapshot():
    calendar = with_exceptions(holidays=["2027-01-01", "2026-11-23"], workdays=["2026-11-21"])

    snapshot = calendar.to_dict()

    assert BusinessCalendar.from_dict(snapshot) == calendar
    assert snapshot == {
        "name": "",
        "time_zone": "Asia/Shanghai",
        "is_24x7": False,
        "working_hours": OFFICE_HOURS,
        "uses_chinese_holidays": True,
        "extra_holidays": ["2026-11-23", "2027-01-01"],
        "extra_workdays": ["2026-11-21"],
    }
