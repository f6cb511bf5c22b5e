"""Business calendars as configuration rows: the seeded defaults, the loader
that turns a row into the calendar the arithmetic uses, and the admin form
an administrator edits them with."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from opsdesk.sla.calendar import add_business_time
from opsdesk.sla.models import BusinessCalendar, CalendarException, ExceptionKind
from opsdesk.sla.queries import load_calendar

BEIJING = ZoneInfo("Asia/Shanghai")
OFFICE_HOURS = {day: ["09:00-12:00", "13:00-18:00"] for day in ("mon", "tue", "wed", "thu", "fri")}
ADD_URL = reverse("admin:sla_businesscalendar_add")


def site_language_name(msgid: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


def test_the_seeded_working_day_calendar_is_mon_to_fri_with_lunch_and_chinese_holidays(db):
    seeded = load_calendar(BusinessCalendar.objects.get(code="workdays"))

    assert seeded.to_dict() == {
        "name": site_language_name("Working days 09:00-18:00"),
        "time_zone": "Asia/Shanghai",
        "is_24x7": False,
        "working_hours": OFFICE_HOURS,
        "uses_chinese_holidays": True,
        "extra_holidays": [],
        "extra_workdays": [],
    }


def test_the_seeded_24x7_calendar_is_always_open(db):
    seeded = load_calendar(BusinessCalendar.objects.get(code="24x7"))

    assert seeded.is_24x7
    assert seeded.name == site_language_name("Around the clock (7×24)")


def test_the_loader_reads_a_row_and_its_exceptions_in_at_most_two_queries(
        db, django_assert_num_queries):
    row = BusinessCalendar.objects.get(code="workdays")
    CalendarException.objects.create(calendar=row, date=date(2026, 11, 23),
                                     kind=ExceptionKind.HOLIDAY, name="公司年会")
    CalendarException.objects.create(calendar=row, date=date(2026, 11, 21),
                                     kind=ExceptionKind.WORKDAY, name="年终盘点")

    with django_assert_num_queries(2):
        by_id = load_calendar(row.pk)
    with django_assert_num_queries(1):
        by_row = load_calendar(row)

    assert by_id == by_row
    assert by_id.extra_holidays == {date(2026, 11, 23)}
    assert by_id.extra_workdays == {date(2026, 11, 21)}
    # From Friday 17:00: 1 h on Friday, 8 h on Saturday, Monday closed, then Tuesday.
    friday = datetime(2026, 11, 20, 17, tzinfo=BEIJING)
    assert add_business_time(by_id, friday, timedelta(hours=6)) == (
        datetime(2026, 11, 21, 15, tzinfo=BEIJING)
    )
    assert add_business_time(by_id, friday, timedelta(hours=10)) == (
        datetime(2026, 11, 24, 10, tzinfo=BEIJING)
    )


def calendar_form(**overrides) -> dict:
    form = {
        "name": "运维值班 08:00-20:00",
        "code": "on-duty",
        "time_zone": "Asia/Shanghai",
        "uses_chinese_holidays": "on",
        "mon": "08:00-20:00", "tue": "08:00-20:00", "wed": "08:00-20:00",
        "thu": "08:00-20:00", "fri": "08:00-20:00", "sat": "09:00-12:00", "sun": "",
        "exceptions-TOTAL_FORMS": "0", "exceptions-INITIAL_FORMS": "0",
        "exceptions-MIN_NUM_FORMS": "0", "exceptions-MAX_NUM_FORMS": "1000",
    }
    form.update(overrides)
    return {key: value for key, value in form.items() if value is not None}


def test_an_admin_enters_working_hours_one_line_per_weekday(admin_client):
    response = admin_client.post(ADD_URL, calendar_form(
        mon="09:00-12:00，13:00-18:00", **{
            "exceptions-TOTAL_FORMS": "1",
            "exceptions-0-date": "2026-12-31", "exceptions-0-kind": "holiday",
            "exceptions-0-name": "年终结账",
        }))

    assert response.status_code == 302, response.context["adminform"].form.errors
    created = load_calendar(BusinessCalendar.objects.get(code="on-duty"))
    assert created.to_dict()["working_hours"] == {
        "mon": ["09:00-12:00", "13:00-18:00"],
        **{day: ["08:00-20:00"] for day in ("tue", "wed", "thu", "fri")},
        "sat": ["09:00-12:00"],
    }
    assert created.extra_holidays == {date(2026, 12, 31)}


def test_the_change_page_shows_the_stored_hours_as_lines(admin_client):
    row = BusinessCalendar.objects.get(code="workdays")

    response = admin_client.get(reverse("admin:sla_businesscalendar_change", args=[row.pk]))

    form = response.context["adminform"].form
    assert form["mon"].value() == "09:00-12:00, 13:00-18:00"
    assert form["sat"].value() == ""


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"mon": "18:00-09:00"}, "mon", "must end after it starts"),
    ({"tue": "08:00-12:00, 11:00-14:00"}, "tue", "overlap"),
    ({"wed": "8点到12点"}, "wed", "is not a period"),
    ({"time_zone": "Beijing"}, "time_zone", "is not a time zone"),
    ({day: "" for day in ("mon", "tue", "wed", "thu", "fri", "sat")}, "__all__",
     "needs working periods on at least one weekday"),
    ({"is_24x7": "on"}, "__all__", "always open"),
])
def test_an_admin_cannot_save_an_unusable_calendar(admin_client, overrides, field, message):
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = admin_client.post(ADD_URL, calendar_form(**overrides))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == [field]
    assert message in errors[field][0]
    assert not BusinessCalendar.objects.filter(code="on-duty").exists()


def test_a_date_can_be_an_exception_only_once_per_calendar(admin_client):
    twice = {
        "exceptions-TOTAL_FORMS": "2",
        "exceptions-0-date": "2026-12-31", "exceptions-0-kind": "holiday",
        "exceptions-1-date": "2026-12-31", "exceptions-1-kind": "workday",
    }

    response = admin_client.post(ADD_URL, calendar_form(**twice))

    assert response.status_code == 200
    second_line = response.context["inline_admin_formsets"][0].formset.forms[1]
    assert second_line.errors
    assert not BusinessCalendar.objects.filter(code="on-duty").exists()
