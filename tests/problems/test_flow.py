import pytest
from django.utils import translation

from opsdesk.core.errors import Forbidden, Invalid, TransitionNotAllowed, VersionConflict
from opsdesk.core.models import TimelineEvent
from opsdesk.problems import actions
from opsdesk.problems.models import Problem
from opsdesk.problems.rules import ProblemClosed

from .conftest import raise_problem, step, walk_to


def _kinds(problem):
    return list(TimelineEvent.objects.filter(subject_type="problem", subject_id=problem.pk)
                .order_by("id").values_list("kind", flat=True))


def test_a_problem_walks_the_whole_flow_to_closed(desk):
    cast = desk.cast
    problem = walk_to(cast, "closed")

    stored = Problem.objects.get(pk=problem.pk)
    assert stored.number == "PRB-20261123-0001"
    assert stored.state == "closed"
    assert (stored.owner, stored.team) == (cast.engineer_chen, cast.l2)
    assert stored.opened_at and stored.known_error_at and stored.resolved_at and stored.closed_at
    assert _kinds(problem) == ["logged", "register", "assigned", "investigate",
                               "publish-workaround", "identify-solution", "request-change",
                               "review", "archive", "close"]


def test_a_closed_problem_never_changes(desk):
    problem = walk_to(desk.cast, "closed")
    with pytest.raises(ProblemClosed):
        step(actions.update_problem, problem, desk.cast.problem_manager_gao,
             changes={"title": "x"})


def test_a_known_error_needs_root_cause_and_workaround(desk):
    problem = walk_to(desk.cast, "investigating")
    with translation.override("en"), pytest.raises(Invalid) as refused:
        step(actions.publish_workaround, problem, desk.cast.engineer_chen, root_cause="",
             workaround="", symptoms="")
    assert set(refused.value.fields) == {"root_cause", "workaround"}
    assert Problem.objects.get(pk=problem.pk).state == "investigating"


def test_a_major_problem_is_reviewed_with_user_representatives(desk):
    problem = walk_to(desk.cast, "solution_identified", level="high")
    with translation.override("en"), pytest.raises(Invalid) as refused:
        step(actions.review, problem, desk.cast.problem_manager_gao, review_minutes="评审通过")
    assert set(refused.value.fields) == {"user_representatives"}
    reviewed = step(actions.review, Problem.objects.get(pk=problem.pk),
                    desk.cast.problem_manager_gao, review_minutes="评审通过",
                    user_representatives="华信证券 赵敏")
    assert reviewed.state == "reviewed"


def test_a_minor_problem_needs_no_user_representatives(desk):
    problem = walk_to(desk.cast, "solution_identified", level="low")
    reviewed = step(actions.review, problem, desk.cast.problem_manager_gao,
                    review_minutes="评审通过")
    assert reviewed.state == "reviewed"


def test_a_stale_version_is_refused(desk):
    problem = walk_to(desk.cast, "registered")
    stale = problem.version - 1
    with pytest.raises(VersionConflict):
        actions.assign(problem, actor=desk.cast.problem_manager_gao, source="web",
                       expected_version=stale, owner=desk.cast.engineer_chen)


def test_only_the_problem_manager_assigns_and_only_the_owner_investigates(desk):
    cast = desk.cast
    problem = walk_to(cast, "registered")
    with pytest.raises(Forbidden):
        step(actions.assign, problem, cast.lead_wang, owner=cast.engineer_chen)
    problem = step(actions.assign, problem, cast.problem_manager_gao, owner=cast.engineer_chen)
    with pytest.raises(Forbidden):
        step(actions.investigate, problem, cast.l2_colleague_sun)
    with pytest.raises(TransitionNotAllowed):
        step(actions.archive, problem, cast.engineer_chen)


def test_requesters_cannot_raise_problems(desk):
    with pytest.raises(Forbidden):
        actions.create_problem(actor=desk.cast.requester_zhao, source="web", title="x",
                               origin="after_sales")
    assert not Problem.objects.exists()


def test_bad_fields_change_nothing(desk):
    with translation.override("en"), pytest.raises(Invalid) as refused:
        raise_problem(desk.cast, title="", level="urgent")
    assert set(refused.value.fields) == {"title", "level"}
    assert not Problem.objects.exists()
