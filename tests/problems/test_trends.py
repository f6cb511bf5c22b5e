"""PRB-05: trend analysis proposes problems for recurring incidents."""

from datetime import timedelta

import pytest
from django.db import connection

from opsdesk.core.models import Category, ConfigurationItem
from opsdesk.demo import load_demo
from opsdesk.demo.recurring import CATEGORY, CI, DAYS_AGO
from opsdesk.incidents.models import Incident
from opsdesk.incidents.similarity import similarity
from opsdesk.problems import actions, trends
from opsdesk.problems.choices import State
from opsdesk.problems.handlers import DailyTrendAnalysis
from opsdesk.problems.models import Problem

from .conftest import raise_problem, step


def _numbers(problem) -> set[str]:
    return set(problem.incidents.values_list("number", flat=True))


def _recurrence(desk, frozen, count, **log):
    logged = []
    for _ in range(count):
        logged.append(desk.cast.log(**log))
        frozen.shift(timedelta(days=2))
    return logged


def test_the_same_ci_and_category_three_times_is_proposed_once(desk, frozen):
    planted = _recurrence(desk, frozen, 3, title="数据库连接数打满")
    desk.cast.log(title="打印机卡纸", ci=None)  # unrelated
    proposed = trends.propose()
    assert len(proposed) == 1
    assert proposed[0].state == State.PROPOSED and proposed[0].source == "trend_analysis"
    assert _numbers(proposed[0]) == {i.number for i in planted}
    assert trends.propose() == []  # idempotent
    assert Problem.objects.count() == 1


def test_twice_is_not_a_trend_and_old_incidents_fall_out_of_the_window(desk, frozen):
    _recurrence(desk, frozen, 2)
    assert trends.propose() == []
    frozen.shift(timedelta(days=40))
    desk.cast.log()
    assert trends.propose() == []


def test_alike_titles_on_different_cis_are_a_text_cluster(desk, frozen):
    cast = desk.cast
    cis = [ConfigurationItem.objects.create(name=f"vm-app-0{n}", ci_type="virtual_machine")
           for n in range(3)]
    planted = [cast.log(title=f"{ci.name} 应用服务内存溢出重启", ci=ci, category=None)
               for ci in cis]
    cast.log(title="VPN 无法连接", ci=cis[0], category=None)
    (proposed,) = trends.propose()
    assert _numbers(proposed) == {i.number for i in planted}
    assert proposed.trend_key.startswith("text:")


def test_a_dismissed_cluster_is_never_proposed_again(desk, frozen):
    _recurrence(desk, frozen, 3)
    (proposed,) = trends.propose()
    gao = desk.cast.problem_manager_gao
    step(actions.dismiss, proposed, gao, reason="计划内变更引起，非问题")
    assert Problem.objects.get(pk=proposed.pk).dismissal_reason == "计划内变更引起，非问题"
    _recurrence(desk, frozen, 3)
    assert trends.propose() == []


def test_an_accepted_proposal_becomes_an_open_problem(desk, frozen):
    _recurrence(desk, frozen, 3)
    (proposed,) = trends.propose()
    accepted = step(actions.accept, proposed, desk.cast.problem_manager_gao)
    assert (accepted.state, accepted.opened_at is not None) == (State.ACCEPTED, True)
    with pytest.raises(Exception) as refused:
        step(actions.dismiss, accepted, desk.cast.problem_manager_gao, reason="x")
    assert refused.value.code == "transition_not_allowed"


def test_service_requests_and_duplicates_do_not_count(desk, frozen):
    _recurrence(desk, frozen, 3, kind="service_request")
    assert trends.propose() == []


def test_the_daily_handler_runs_once_a_day(desk, frozen):
    _recurrence(desk, frozen, 3)
    handler = DailyTrendAnalysis()
    assert handler.handle_one() is True
    assert handler.handle_one() is False
    assert Problem.objects.count() == 1
    frozen.shift(timedelta(days=1))
    assert handler.handle_one() is True  # ran again, found nothing new
    assert Problem.objects.count() == 1


def test_over_the_demo_the_planted_cluster_is_proposed_and_every_proposal_recurs(db, frozen):
    load_demo()
    proposed = trends.propose()
    category = Category.objects.get(name=CATEGORY[1], parent__name=CATEGORY[0])
    planted = set(Incident.objects.filter(ci__name=CI, category=category)
                  .values_list("number", flat=True))
    assert len(planted) == len(DAYS_AGO)
    assert planted in [_numbers(problem) for problem in proposed]
    for problem in proposed:
        members = list(problem.incidents.all())
        assert len(members) >= trends.DEFAULT_MINIMUM
        for incident in members:
            assert incident.kind in ("fault", "alert") and incident.duplicate_of_id is None
            if problem.trend_key.startswith("ci:"):
                assert (incident.ci_id, incident.category_id) == (
                    members[0].ci_id, members[0].category_id)
            else:
                assert similarity(incident.title, problem.title) >= trends.ALIKE
    assert trends.propose() == []


def test_an_incident_linked_while_the_analysis_ran_is_left_out(desk, frozen):
    first, *others = _recurrence(desk, frozen, 4)
    clusters = trends.analyse(trends.DEFAULT_DAYS, trends.DEFAULT_MINIMUM)
    linked_meanwhile = raise_problem(desk.cast)
    actions.link_incident(linked_meanwhile, actor=desk.cast.agent_li, source="web",
                          incident=first)

    (proposed,) = trends.record_proposals(clusters, actor=None, source="worker",
                                          days=trends.DEFAULT_DAYS, minimum=3)

    assert _numbers(proposed) == {incident.number for incident in others}
    assert _numbers(linked_meanwhile) == {first.number}


def test_a_cluster_left_below_the_threshold_is_not_proposed(desk, frozen):
    first, *_others = _recurrence(desk, frozen, 3)
    clusters = trends.analyse(trends.DEFAULT_DAYS, trends.DEFAULT_MINIMUM)
    actions.link_incident(raise_problem(desk.cast), actor=desk.cast.agent_li, source="web",
                          incident=first)

    assert trends.record_proposals(clusters, actor=None, source="worker",
                                   days=trends.DEFAULT_DAYS, minimum=3) == []


def test_the_daily_analysis_reads_outside_any_transaction(tx_cast, frozen):
    """Agents and the SLA sweep must not wait for a minute-long analysis:
    only the short write of the proposals runs in a transaction."""
    for _ in range(3):
        tx_cast.log(title="数据库连接数打满")
        frozen.shift(timedelta(days=2))
    statements = []

    def note(execute, sql, params, many, context):
        statements.append((sql, connection.in_atomic_block))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(note):
        assert len(trends.run_daily()) == 1

    reads = [in_transaction for sql, in_transaction in statements
             if 'FROM "incidents_incident"' in sql and '"registered_at" >=' in sql]
    assert reads == [False]
    assert any(in_transaction for _sql, in_transaction in statements)
