"""The problem manager joins the cast; incidents are walked with the
incident tests' Desk."""

import pytest

from opsdesk.core.choices import Role
from opsdesk.problems import actions
from opsdesk.problems.models import Problem

from ..incidents.helpers import Desk


@pytest.fixture
def desk(cast):
    cast.problem_manager_gao = cast._user("problem_manager_gao", "高建国", Role.PROBLEM_MANAGER,
                                          None)
    return Desk(cast)


def raise_problem(cast, **fields) -> Problem:
    values = {"title": "网银登录缓慢反复出现", "origin": "unknown_cause", "ci": cast.ci}
    values.update(fields)
    return actions.create_problem(actor=cast.agent_li, source="web", **values)


def step(action, problem, actor, **fields):
    return action(problem, actor=actor, source="web", expected_version=problem.version,
                  **fields)


def walk_to(cast, state: str, problem=None, *, level="medium") -> Problem:
    """Bring a problem to `state` through the real actions, owned by engineer_chen."""
    order = ["accepted", "registered", "assigned", "investigating", "known_error",
             "solution_identified", "change_requested", "reviewed", "archived", "closed"]
    problem = problem or raise_problem(cast)
    gao, chen = cast.problem_manager_gao, cast.engineer_chen
    moves = {
        "registered": lambda p: step(actions.register, p, cast.agent_li, category="software",
                                     level=level),
        "assigned": lambda p: step(actions.assign, p, gao, owner=chen, team=cast.l2),
        "investigating": lambda p: step(actions.investigate, p, chen),
        "known_error": lambda p: step(actions.publish_workaround, p, chen,
                                      root_cause="连接池过小", workaround="重启应用服务",
                                      symptoms="网银登录页面长时间转圈"),
        "solution_identified": lambda p: step(actions.identify_solution, p, chen,
                                              solution="连接池调到 200"),
        "change_requested": lambda p: step(actions.request_change, p, chen,
                                           change_reference="RFC-20261123-0001"),
        "reviewed": lambda p: step(actions.review, p, gao, review_minutes="评审通过",
                                   user_representatives="华信证券 赵敏"),
        "archived": lambda p: step(actions.archive, p, chen),
        "closed": lambda p: step(actions.close, p, chen),
    }
    for name in order[order.index(problem.state) + 1: order.index(state) + 1]:
        problem = moves[name](problem)
    return problem
