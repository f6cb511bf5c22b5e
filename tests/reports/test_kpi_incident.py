"""Seed 004 §5.11, incident KPIs 1–6: each figure from a hand-built set of
incidents, worked out by hand; the rows behind each figure; groupings."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from opsdesk.knowledge.models import Article, ArticleUse
from opsdesk.reports import kpis
from opsdesk.reports.kpi_filters import Filters
from opsdesk.reports.periods import Period

from .kpi_helpers import NOVEMBER, OCTOBER, Records, at, grouped, numbers, pct, rows


def _used_article(cast, incident):
    article, _ = Article.objects.get_or_create(
        number="KB-0001", defaults={"title": "重启网银前置机", "solution": "重启",
                                    "author": cast.engineer_chen, "edited_by": cast.engineer_chen,
                                    "created_at": at(10, 1), "updated_at": at(10, 1)})
    ArticleUse.objects.create(incident=incident, article=article, user=cast.engineer_chen,
                              at=incident.occurred_at)


@pytest.fixture
def month(cast):
    """November: six incidents count. Left out: a duplicate, and a fault that
    occurred on October 31st at 23:30 though logged in November."""
    records = Records(cast)
    made = {
        "closed_ok": records.resolved(at(11, 5), 2, priority=3),
        "with_problem": records.resolved(at(11, 10), 5, priority=1,
                                         closure_code="successful_with_problem"),
        "open_p2": records.incident(at(11, 30, 23, 30), priority=2, channel="email"),
        "first_minute": records.incident(at(11, 1, 0, 0), priority=4, team=cast.l2),
        "workaround": records.resolved(at(11, 12), 1, priority=4, closure_code="workaround",
                                       team=cast.l2),
        "resolved_not_closed": records.resolved(at(11, 15), 3, priority=3, status="resolved",
                                                team=cast.l2),
    }
    records.incident(at(11, 6), duplicate_of=made["closed_ok"], status="closed",
                     closure_code="successful")
    made["late_october"] = records.incident(at(10, 31, 23, 30), registered_at=at(11, 1, 8))
    _used_article(cast, made["workaround"])
    _used_article(cast, made["resolved_not_closed"])
    return {name: incident.number for name, incident in made.items()}


NOVEMBER_SIX = {"closed_ok", "with_problem", "open_p2", "first_minute", "workaround",
                "resolved_not_closed"}


def named(month, *names) -> set[str]:
    return {month[name] for name in names}


def test_total_excludes_duplicates_and_counts_by_occurrence_time(month):
    assert numbers("incidents_total") == (Decimal(6), 6, None)
    assert rows("incidents_total") == named(month, *NOVEMBER_SIX)
    assert numbers("incidents_total", OCTOBER) == (Decimal(1), 1, None)
    assert rows("incidents_total", OCTOBER) == named(month, "late_october")


def test_closed_count_and_rate(month):
    assert numbers("closed_rate") == (pct(3, 6), 3, 6)
    assert rows("closed_rate") == named(month, "closed_ok", "with_problem", "workaround")
    assert rows("closed_rate", part="denominator") == named(month, *NOVEMBER_SIX)


def test_successfully_closed_means_closure_code_successful(month):
    assert numbers("successful_closure_rate") == (Decimal("33.33"), 2, 6)
    assert rows("successful_closure_rate") == named(month, "closed_ok", "resolved_not_closed")


def test_major_incidents_are_priority_1_and_2(month):
    assert numbers("major_incident_rate") == (Decimal("33.33"), 2, 6)
    assert rows("major_incident_rate") == named(month, "with_problem", "open_p2")


def test_knowledge_base_utilisation_counts_incidents_with_an_article_used(month):
    assert numbers("knowledge_use_rate") == (Decimal("33.33"), 2, 6)
    assert rows("knowledge_use_rate") == named(month, "workaround", "resolved_not_closed")


def test_escalated_to_problem_is_closure_code_successful_with_problem(month):
    assert numbers("escalated_to_problem_rate") == (Decimal("16.67"), 1, 6)
    assert rows("escalated_to_problem_rate") == named(month, "with_problem")


def test_an_empty_period_has_nothing_to_divide_by(month):
    december = Period.month(2026, 12)
    assert numbers("incidents_total", december) == (Decimal(0), 0, None)
    assert numbers("closed_rate", december) == (None, 0, 0)
    assert rows("closed_rate", december) == set()


def test_grouped_by_priority(month):
    assert grouped("closed_rate", "priority") == {
        1: (Decimal("100.00"), 1, 1), 2: (Decimal("0.00"), 0, 1),
        3: (Decimal("50.00"), 1, 2), 4: (Decimal("50.00"), 1, 2)}
    assert rows("closed_rate", group_by="priority", group=4) == named(month, "workaround")


def test_grouped_by_team_includes_the_unassigned(cast, month):
    assert grouped("incidents_total", "team") == {
        cast.l2.pk: (Decimal(3), 3, None), None: (Decimal(3), 3, None)}
    with translation.override("zh-hans"):
        figures = kpis.compute(["incidents_total"], NOVEMBER, group_by="team")
        assert [f.group_label for f in figures] == ["二线系统组", "（无）"]
    assert rows("incidents_total", group_by="team", group=None) == named(
        month, "closed_ok", "with_problem", "open_p2")


def test_grouped_by_week_in_beijing_time_cut_to_the_month(month):
    weeks = grouped("incidents_total", "week")
    # Sunday November 1st 00:00 belongs to the week of Monday October 26th,
    # cut to the month: that week's figure starts on the 1st. Sunday the
    # 15th belongs to the week of the 9th. Weeks without incidents count 0.
    assert weeks == {date(2026, 11, 1): (Decimal(1), 1, None),
                     date(2026, 11, 2): (Decimal(1), 1, None),
                     date(2026, 11, 9): (Decimal(3), 3, None),
                     date(2026, 11, 16): (Decimal(0), 0, None),
                     date(2026, 11, 23): (Decimal(0), 0, None),
                     date(2026, 11, 30): (Decimal(1), 1, None)}
    labels = [f.group_label for f in kpis.compute(["incidents_total"], NOVEMBER,
                                                  group_by="week")]
    assert "2026-11-01" in labels[0]
    assert rows("incidents_total", group_by="week", group=date(2026, 11, 1)) == named(
        month, "first_minute")


def test_filters_narrow_every_figure(cast, month):
    only_email = Filters(channel="email")
    assert numbers("incidents_total", filters=only_email) == (Decimal(1), 1, None)
    assert numbers("closed_rate", filters=Filters(team=cast.l2.pk)) == (pct(1, 3), 1, 3)
    assert rows("closed_rate", filters=Filters(team=cast.l2.pk)) == named(month, "workaround")


def test_query_count_does_not_grow_with_the_tickets(cast, month, django_assert_max_num_queries):
    def queries(**options) -> int:
        with CaptureQueriesContext(connection) as captured:
            kpis.compute(None, NOVEMBER, **options)
        return len(captured.captured_queries)

    few = queries(), queries(group_by="team"), queries(group_by="day")
    records = Records(cast)
    for day in range(1, 29):
        records.resolved(at(11, day), 4, priority=day % 4 + 1, team=cast.l1)
    assert (queries(), queries(group_by="team"), queries(group_by="day")) == few
    with django_assert_max_num_queries(10):
        kpis.compute(None, NOVEMBER)
