"""Emergency lifted (101.5) and the aftermath (101.6): the report with the
recovery time, mailed to management; a linked problem with the details."""

from datetime import datetime

import pytest

from opsdesk.core import clock
from opsdesk.core.errors import Forbidden, Invalid
from opsdesk.core.models import Notification, TimelineEvent
from opsdesk.major import actions
from opsdesk.major.models import MajorIncident, MajorIncidentReport
from opsdesk.major.rules import MajorIncidentLifted
from opsdesk.problems.models import Problem

from ..incidents.helpers import kinds
from .conftest import P1, declare, make_plan, minutes


def lift(major, actor, **fields):
    values = {"business_recovered_at": major.declared_at + minutes(50),
              "cause": "数据库连接池耗尽", "summary": "切换备机并扩容连接池"}
    values.update(fields)
    return actions.lift(major, actor=actor, source="web", **values)


@pytest.fixture
def running(crew, frozen):
    """A P1 that occurred 20 minutes before it was logged, declared with a
    plan, one step done and one update posted; lifted an hour later."""
    make_plan(crew, cis=[crew.ci])
    incident = crew.log(occurred_at=clock.now() - minutes(20), **P1)
    major = declare(crew, incident, commander=crew.engineer_chen,
                    team=[(crew.l2_colleague_sun, "vendor_liaison")])
    actions.mark_step(major, actor=crew.engineer_chen, source="web",
                      step_id=major.steps.order_by("position").first().pk, note="影响交易下单")
    actions.post_update(major, actor=crew.engineer_chen, source="web", text="已切换到备机")
    frozen.shift(minutes(60))
    return major


def test_the_commander_lifts_and_the_report_has_the_recovery_time(crew, running):
    major = lift(running, crew.engineer_chen)

    assert (major.status, major.lifted_by) == ("lifted", crew.engineer_chen)
    report = MajorIncidentReport.objects.get(major_incident=major).content
    # Occurred at 09:40, business recovered at 10:50: 70 minutes.
    assert report["recovery_minutes"] == 70
    assert report["services"] == ["云主机服务", "网上银行"]
    assert (report["cause"], report["summary"]) == ("数据库连接池耗尽", "切换备机并扩容连接池")
    assert [s["done_by"] for s in report["steps"]] == ["陈伟", "", ""]
    assert [u["text"] for u in report["updates"]] == ["已切换到备机"]
    assert [e["kind"] for e in report["timeline"]][-3:] == [
        "major_step_done", "major_update", "major_lifted"]
    assert report["problem"] == major.problem.number


def test_a_problem_with_the_handling_details_is_linked_to_the_incident(crew, running):
    major = lift(running, crew.engineer_chen)

    problem = Problem.objects.get()
    assert (problem.source, problem.level, problem.state) == ("major_incident", "high", "accepted")
    assert list(problem.incidents.all()) == [major.incident]
    assert major.number in problem.title and "网银系统登录缓慢" in problem.title
    for detail in ("数据库连接池耗尽", "切换备机并扩容连接池", "已切换到备机", "影响交易下单",
                   "2026-11-23 10:50"):
        assert detail in problem.description
    assert kinds(major.incident)[-2:] == ["major_lifted", "problem_linked"]


def test_management_gets_the_report_and_the_requester_and_team_the_outcome(crew, running):
    major = lift(running, crew.engineer_chen)

    reports = Notification.objects.filter(event="major_report")
    assert sorted(reports.values_list("recipient__username", flat=True)) == [
        "director_feng", "lead_wang", "leader_ma", "problem_manager_gao",
        "service_manager_zheng"]
    body = reports.get(recipient=crew.leader_ma).body
    assert "业务恢复时间：2026-11-23 10:50" in body
    assert f"后续问题单：{major.problem.number}" in body
    assert f"/major/{major.number}/report/" in body
    lifted = Notification.objects.filter(event="major_lifted")
    assert sorted(lifted.values_list("recipient__username", flat=True)) == [
        "engineer_sun", "requester_zhao"]


@pytest.mark.parametrize("who", ["lead_wang", "director_feng"])
def test_a_manager_may_lift_too(crew, running, who):
    assert lift(running, getattr(crew, who)).status == "lifted"


def test_nobody_else_may_lift(crew, running):
    before = TimelineEvent.objects.count(), Problem.objects.count()

    for who in (crew.l2_colleague_sun, crew.agent_li, crew.leader_ma):
        with pytest.raises(Forbidden):
            lift(running, who)

    assert (TimelineEvent.objects.count(), Problem.objects.count()) == before
    assert MajorIncident.objects.get().status == "active"


@pytest.mark.parametrize("recovered", [None, "future", "before occurrence", "naive"])
def test_lifting_needs_a_sensible_business_recovery_time(crew, running, recovered):
    times = {None: None, "future": running.declared_at + minutes(120),
             "before occurrence": running.declared_at - minutes(30),
             "naive": datetime(2026, 11, 23, 10, 50)}
    before = TimelineEvent.objects.count(), Problem.objects.count(), Notification.objects.count()

    with pytest.raises(Invalid) as refused:
        lift(running, crew.engineer_chen, business_recovered_at=times[recovered])

    assert set(refused.value.fields) == {"business_recovered_at"}
    assert (TimelineEvent.objects.count(), Problem.objects.count(),
            Notification.objects.count()) == before
    assert MajorIncident.objects.get().status == "active"


def test_a_lifted_major_incident_no_longer_changes(crew, running):
    major = lift(running, crew.engineer_chen)

    with pytest.raises(MajorIncidentLifted):
        actions.post_update(major, actor=crew.engineer_chen, source="web", text="补充说明")
    with pytest.raises(MajorIncidentLifted):
        lift(major, crew.lead_wang)
    assert Problem.objects.count() == 1
