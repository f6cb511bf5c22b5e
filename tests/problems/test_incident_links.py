"""INC-16: a workaround closure (变通关闭) or 成功但有问题 needs a problem; linking
many incidents; telling the linked incidents when the problem is solved;
applying a known error's workaround."""

import pytest
from django.utils import translation

from opsdesk.core.errors import Forbidden, Invalid
from opsdesk.core.models import Notification
from opsdesk.incidents import actions as incident_actions
from opsdesk.problems import actions
from opsdesk.problems.models import Problem, ProblemIncident

from ..incidents.helpers import events, fresh, kinds, snapshot
from .conftest import raise_problem, walk_to


@pytest.mark.parametrize("code", ["workaround", "successful_with_problem"])
def test_these_closure_codes_are_refused_without_a_problem(desk, code):
    incident = desk.in_progress()
    before = snapshot()
    with translation.override("en"), pytest.raises(Invalid) as refused:
        desk.resolve(incident, code, problem=None)
    assert "problem" in refused.value.fields
    assert "needs a problem record" in str(refused.value.fields["problem"])
    assert snapshot() == before
    assert not Problem.objects.exists()


def test_new_raises_a_problem_from_the_incident_and_links_it(desk):
    incident = desk.resolve(desk.in_progress(), "workaround", problem="new")

    problem = Problem.objects.get()
    assert (problem.source, problem.state, problem.title) == (
        "incident_workaround", "accepted", incident.title)
    assert problem.workaround == "更换了故障磁盘"
    assert problem.ci == desk.cast.ci
    assert list(problem.incidents.all()) == [fresh(incident)]
    assert fresh(incident).status == "resolved"
    assert kinds(incident)[-2:] == ["resolved", "problem_linked"]


def test_an_existing_problem_can_be_chosen(desk):
    problem = raise_problem(desk.cast)
    incident = desk.resolve(desk.in_progress(), "successful_with_problem", problem=problem)
    assert list(problem.incidents.all()) == [fresh(incident)]
    assert Problem.objects.count() == 1


def test_an_incident_linked_already_needs_no_more(desk):
    incident = desk.in_progress()
    raise_problem(desk.cast, incident=incident)
    desk.resolve(fresh(incident), "workaround", problem=None)
    assert fresh(incident).closure_code == "workaround"
    assert ProblemIncident.objects.filter(incident=incident).count() == 1


def test_a_closed_problem_cannot_be_chosen(desk):
    problem = walk_to(desk.cast, "closed")
    with pytest.raises(Invalid) as refused:
        desk.resolve(desk.in_progress(), "workaround", problem=fresh_problem(problem))
    assert set(refused.value.fields) == {"problem"}


def fresh_problem(problem):
    return Problem.objects.get(pk=problem.pk)


def test_a_successful_closure_needs_no_problem(desk):
    incident = desk.resolve(desk.in_progress(), "successful")
    assert fresh(incident).status == "resolved"
    assert not Problem.objects.exists()


def test_many_incidents_link_to_one_problem_once_each(desk):
    cast = desk.cast
    problem = raise_problem(cast)
    first, second = desk.in_progress(), desk.assigned(title="网银又慢了")
    actions.link_incident(problem, actor=cast.agent_li, source="web", incident=first)
    actions.link_incident(problem, actor=cast.engineer_chen, source="web", incident=second)
    with pytest.raises(Invalid):
        actions.link_incident(problem, actor=cast.agent_li, source="web", incident=first)
    with pytest.raises(Forbidden):
        actions.link_incident(problem, actor=cast.requester_zhao, source="web", incident=first)
    assert set(problem.incidents.all()) == {fresh(first), fresh(second)}
    assert ("problem_linked", "agent_li", "web", {"problem": [None, problem.number]}) \
        in events(first)


def test_a_solved_problem_tells_its_open_incidents_once_each(desk):
    cast = desk.cast
    open_one = desk.in_progress()
    resolved_one = desk.resolve(desk.in_progress(title="另一张"), "workaround", problem="new")
    problem = Problem.objects.get()
    actions.link_incident(problem, actor=cast.agent_li, source="web", incident=open_one)
    problem = walk_to(cast, "solution_identified", fresh_problem(problem))

    told = actions.notify_linked_incidents(problem, actor=cast.problem_manager_gao,
                                           source="web")

    assert [i.number for i in told] == [open_one.number]
    assert kinds(open_one).count("problem_solved") == 1
    assert "problem_solved" not in kinds(resolved_one)
    mail = Notification.objects.get(event="problem_solved")
    assert mail.recipient == cast.engineer_chen
    assert problem.number in mail.subject


def test_only_a_solved_problem_tells_its_incidents(desk):
    problem = walk_to(desk.cast, "investigating")
    with pytest.raises(Exception) as refused:
        actions.notify_linked_incidents(problem, actor=desk.cast.engineer_chen, source="web")
    assert refused.value.code == "transition_not_allowed"


def test_applying_a_workaround_comments_and_links(desk):
    cast = desk.cast
    problem = walk_to(cast, "known_error")
    incident = desk.in_progress(title="网银登录又慢")
    actions.apply_workaround(problem, actor=cast.engineer_chen, source="web",
                             incident=incident, public=True)
    assert list(problem.incidents.all()) == [fresh(incident)]
    event = [e for e in events(incident) if e[0] == "workaround_applied"]
    assert event and event[0][3] == {"problem": [None, problem.number]}
    assert Notification.objects.filter(event="public_comment",
                                       recipient=cast.requester_zhao).exists()
    # The incident may now be closed with the workaround: it is linked.
    incident_actions.resolve(fresh(incident), actor=cast.engineer_chen, source="web",
                             expected_version=fresh(incident).version,
                             closure_code="workaround", solution="重启应用服务")


def test_a_workaround_needs_a_known_error(desk):
    problem = walk_to(desk.cast, "investigating")
    with pytest.raises(Invalid):
        actions.apply_workaround(problem, actor=desk.cast.engineer_chen, source="web",
                                 incident=desk.in_progress(), public=False)
