"""Recording the solution (INC-14) with closure codes (INC-16)."""

from datetime import UTC, datetime, timedelta

import pytest

from opsdesk.core.errors import Invalid, TransitionNotAllowed
from opsdesk.core.models import Category, ConfigurationItem
from opsdesk.incidents import actions

from .helpers import act, events, fresh, snapshot

NOW = datetime(2026, 11, 23, 2, tzinfo=UTC)


def test_resolving_records_the_solution_and_who_solved_it(desk, cast):
    incident = desk.in_progress()
    incident = act(actions.resolve, incident, cast.engineer_chen, closure_code="successful",
                   solution="扩容了数据库连接池", failure_vendor="华为")
    stored = fresh(incident)
    assert (stored.status, stored.closure_code) == ("resolved", "successful")
    assert stored.solution == "扩容了数据库连接池"
    assert (stored.resolved_by, stored.resolved_team) == (cast.engineer_chen, cast.l2)
    assert (stored.resolver_role, stored.failure_vendor) == ("l2", "华为")
    assert stored.resolved_at == stored.business_recovered_at == NOW
    assert stored.closed_at is None and not stored.needs_problem
    assert events(incident)[-1] == ("resolved", "engineer_chen", "web", {
        "status": ["in_progress", "resolved"], "closure_code": [None, "successful"]})


@pytest.mark.parametrize(("code", "needs_problem"), [
    ("successful", False), ("unsuccessful", False),
    ("workaround", True), ("successful_with_problem", True),
])
def test_workaround_and_problem_closures_mark_the_incident_for_a_problem(desk, code,
                                                                        needs_problem):
    assert fresh(desk.resolved(closure_code=code)).needs_problem is needs_problem


def test_the_service_desk_may_resolve_on_first_call(cast):
    incident = act(actions.resolve, cast.log(), cast.agent_li, closure_code="successful",
                   solution="指导客户清除浏览器缓存")
    stored = fresh(incident)
    assert (stored.resolved_team, stored.resolver_role) == (cast.desk, "service_desk")


def test_resolving_can_confirm_the_category_and_ci(desk, cast):
    other = Category.objects.create(name="资源续租")
    db = ConfigurationItem.objects.create(name="db-core-01", ci_type="database")
    incident = act(actions.resolve, desk.in_progress(), cast.engineer_chen,
                   closure_code="successful", solution="续租完成", category=other, ci=db,
                   system_type="Oracle")
    stored = fresh(incident)
    assert (stored.category, stored.ci, stored.system_type) == (other, db, "Oracle")


def test_a_business_recovery_time_before_now_is_kept(desk, cast):
    recovered = NOW - timedelta(minutes=30)
    incident = desk.resolve(desk.in_progress(occurred_at=NOW - timedelta(hours=2)),
                            business_recovered_at=recovered)
    assert fresh(incident).business_recovered_at == recovered


@pytest.mark.parametrize(("recovered", "occurred"), [
    (NOW + timedelta(minutes=1), None),
    (NOW - timedelta(hours=3), NOW - timedelta(hours=2)),
    (datetime(2026, 11, 23, 9, 0), None),
])
def test_business_recovery_is_neither_in_the_future_nor_before_the_occurrence(
        desk, recovered, occurred):
    incident = desk.in_progress(**({"occurred_at": occurred} if occurred else {}))
    before = snapshot()
    with pytest.raises(Invalid) as raised:
        desk.resolve(incident, business_recovered_at=recovered)
    assert set(raised.value.fields) == {"business_recovered_at"}
    assert snapshot() == before


@pytest.mark.parametrize(("kind", "ci_required"), [
    ("fault", True), ("alert", True), ("service_request", False)])
def test_faults_and_alerts_must_name_the_failed_ci(desk, kind, ci_required):
    incident = desk.in_progress(kind=kind, ci=None)
    before = snapshot()
    if ci_required:
        with pytest.raises(Invalid) as raised:
            desk.resolve(incident)
        assert set(raised.value.fields) == {"ci"}
        assert snapshot() == before
    else:
        assert desk.resolve(incident).status == "resolved"


def test_the_category_must_be_confirmed(desk):
    incident = desk.in_progress(category=None)
    before = snapshot()
    with pytest.raises(Invalid) as raised:
        desk.resolve(incident)
    assert set(raised.value.fields) == {"category"}
    assert snapshot() == before


def test_every_problem_is_reported_at_once(desk, cast):
    incident = desk.in_progress(category=None, ci=None)
    before = snapshot()
    with pytest.raises(Invalid) as raised:
        act(actions.resolve, incident, cast.engineer_chen, closure_code="fixed", solution="",
            resolver_role="boss", failure_vendor=7)
    assert set(raised.value.fields) == {"closure_code", "solution", "resolver_role",
                                        "failure_vendor", "category", "ci"}
    assert snapshot() == before


def test_a_pending_incident_is_resumed_before_it_is_resolved(desk):
    incident = desk.pending()
    with pytest.raises(TransitionNotAllowed):
        desk.resolve(incident)
