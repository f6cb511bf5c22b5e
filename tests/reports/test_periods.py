"""Reporting periods: Beijing-time day boundaries, parsing, labels, trends."""

from datetime import UTC, date, datetime

import pytest
from django.http import QueryDict
from django.utils import translation

from opsdesk.core.errors import Invalid
from opsdesk.reports.periods import Period


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_a_month_runs_from_beijing_midnight_to_beijing_midnight():
    november = Period.month(2026, 11)
    assert (november.start, november.end) == (utc(2026, 10, 31, 16), utc(2026, 11, 30, 16))
    assert (november.first_day, november.last_day) == (date(2026, 11, 1), date(2026, 11, 30))
    assert november.contains(utc(2026, 10, 31, 16)) and not november.contains(utc(2026, 11, 30, 16))


def test_every_grain_and_its_previous_period():
    assert Period.month(2026, 1).previous() == Period.month(2025, 12)
    assert Period.quarter(2026, 1).previous() == Period.quarter(2025, 4)
    assert Period.year(2026).previous() == Period.year(2025)
    assert Period.week(date(2026, 11, 25)).first_day == date(2026, 11, 23)
    assert Period.week(date(2026, 11, 25)).previous() == Period.week(date(2026, 11, 16))
    assert Period.day(date(2026, 3, 1)).previous() == Period.day(date(2026, 2, 28))
    custom = Period.custom(date(2026, 11, 10), date(2026, 11, 19))
    assert custom.previous() == Period.custom(date(2026, 10, 31), date(2026, 11, 9))


@pytest.mark.parametrize("query", [
    "period=month&year=2026&month=11", "period=quarter&year=2026&quarter=4",
    "period=year&year=2026", "period=week&date=2026-11-23", "period=day&date=2026-11-23",
    "from=2026-11-03&to=2026-11-09",
])
def test_parse_and_query_string_are_inverse(query):
    period = Period.parse(QueryDict(query))
    assert period.query_string() == query
    assert Period.parse(QueryDict(period.query_string())) == period


def test_no_period_means_the_current_month(frozen):
    assert Period.parse(QueryDict("")) == Period.month(2026, 11)


@pytest.mark.parametrize(("query", "field", "message"), [
    ("period=month&year=2026&month=13", "month", "Give a whole number from 1 to 12."),
    ("period=month&month=3", "year", "Give a whole number from 1 to 9999."),
    ("period=fortnight", "period", "Choose one of: day, week, month, quarter, year."),
    ("from=2026-11-31&to=2026-12-01", "from", "Give a date as YYYY-MM-DD."),
    ("from=2026-12-01&to=2026-11-01", "to", "The end date is before the start date."),
    ("from=2000-01-01&to=2026-01-01", "to", "Choose at most five years."),
])
def test_bad_periods_are_refused_with_a_message(query, field, message):
    with translation.override("en"), pytest.raises(Invalid) as refused:
        Period.parse(QueryDict(query))
    assert str(refused.value.fields[field]) == message


def test_labels():
    with translation.override("en"):
        assert Period.month(2026, 11).label == "November 2026"
        assert Period.quarter(2026, 4).label == "Q4 2026"
        assert Period.custom(date(2026, 11, 3), date(2026, 11, 9)).label == (
            "2026-11-03 to 2026-11-09")


def test_split_cuts_the_first_and_last_parts_to_the_period():
    weeks = Period.month(2026, 11).split("week")
    assert [w.first_day for w in weeks] == [date(2026, 11, d) for d in (1, 2, 9, 16, 23, 30)]
    assert weeks[0].last_day == date(2026, 11, 1) and weeks[-1].last_day == date(2026, 11, 30)
    assert len(Period.year(2026).split("month")) == 12
    assert len(Period.quarter(2026, 1).split("day")) == 90
    assert weeks[0].query_string() == "from=2026-11-01&to=2026-11-01"
