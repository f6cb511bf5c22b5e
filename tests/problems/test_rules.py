"""Every action × state × role of the problem lifecycle, against the table
the process manual gives (PRB-03)."""

from types import SimpleNamespace

import pytest

from opsdesk.core.choices import Role
from opsdesk.core.errors import Forbidden, TransitionNotAllowed
from opsdesk.problems import rules
from opsdesk.problems.choices import Action, State
from opsdesk.problems.rules import ProblemClosed

OWNER, GROUP_TEAM = 7, 3
# Where each action may start, as the manual reads.
SOURCES = {
    Action.ACCEPT: {State.PROPOSED},
    Action.DISMISS: {State.PROPOSED},
    Action.REGISTER: {State.ACCEPTED},
    Action.ASSIGN: {State.REGISTERED, State.ASSIGNED, State.INVESTIGATING, State.KNOWN_ERROR},
    Action.INVESTIGATE: {State.ASSIGNED},
    Action.PUBLISH_WORKAROUND: {State.INVESTIGATING},
    Action.IDENTIFY_SOLUTION: {State.INVESTIGATING, State.KNOWN_ERROR},
    Action.REQUEST_CHANGE: {State.SOLUTION_IDENTIFIED},
    Action.REVIEW: {State.SOLUTION_IDENTIFIED, State.CHANGE_REQUESTED},
    Action.ARCHIVE: {State.REVIEWED},
    Action.CLOSE: {State.ARCHIVED},
    Action.UPDATE: {State.PROPOSED, State.ACCEPTED, State.REGISTERED, State.ASSIGNED,
                    State.INVESTIGATING, State.KNOWN_ERROR, State.SOLUTION_IDENTIFIED,
                    State.CHANGE_REQUESTED, State.REVIEWED},
    Action.LINK_INCIDENT: {State.PROPOSED, State.ACCEPTED, State.REGISTERED, State.ASSIGNED,
                           State.INVESTIGATING, State.KNOWN_ERROR, State.SOLUTION_IDENTIFIED,
                           State.CHANGE_REQUESTED, State.REVIEWED, State.ARCHIVED},
    Action.NOTIFY_INCIDENTS: {State.SOLUTION_IDENTIFIED, State.CHANGE_REQUESTED,
                              State.REVIEWED},
}
MANAGER_ONLY = {Action.ACCEPT, Action.DISMISS, Action.ASSIGN, Action.REVIEW}
OWNER_ACTIONS = {Action.INVESTIGATE, Action.PUBLISH_WORKAROUND, Action.IDENTIFY_SOLUTION,
                 Action.REQUEST_CHANGE, Action.ARCHIVE, Action.CLOSE, Action.NOTIFY_INCIDENTS}
ACTORS = {
    "problem_manager": SimpleNamespace(pk=1, role=Role.PROBLEM_MANAGER, team_id=None),
    "owner": SimpleNamespace(pk=OWNER, role=Role.ENGINEER, team_id=GROUP_TEAM),
    "group_member": SimpleNamespace(pk=8, role=Role.ENGINEER, team_id=GROUP_TEAM),
    "other_engineer": SimpleNamespace(pk=9, role=Role.ENGINEER, team_id=99),
    "agent": SimpleNamespace(pk=10, role=Role.AGENT, team_id=1),
    "incident_manager": SimpleNamespace(pk=11, role=Role.INCIDENT_MANAGER, team_id=None),
    "requester": SimpleNamespace(pk=12, role=Role.REQUESTER, team_id=None),
    "leadership": SimpleNamespace(pk=13, role=Role.LEADERSHIP, team_id=None),
}
WORKS_INCIDENTS = {"problem_manager", "owner", "group_member", "other_engineer", "agent",
                   "incident_manager"}


def expected(action: Action, actor_name: str) -> bool:
    if actor_name == "problem_manager":
        return True
    if action in MANAGER_ONLY:
        return False
    if action in OWNER_ACTIONS:
        return actor_name == "owner"
    if action == Action.UPDATE:
        return actor_name in {"owner", "group_member"}
    return actor_name in WORKS_INCIDENTS  # register, link an incident


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("actor_name", list(ACTORS))
@pytest.mark.parametrize("action", list(Action))
def test_every_action_state_and_role(action, actor_name, state):
    problem = SimpleNamespace(state=state, owner_id=OWNER, team_id=GROUP_TEAM)
    actor = ACTORS[actor_name]
    if state == State.CLOSED:
        with pytest.raises(ProblemClosed):
            rules.check(action, problem, actor)
    elif not expected(action, actor_name):
        with pytest.raises(Forbidden):
            rules.check(action, problem, actor)
    elif state not in SOURCES[action]:
        with pytest.raises(TransitionNotAllowed):
            rules.check(action, problem, actor)
    else:
        assert rules.check(action, problem, actor).sources == SOURCES[action]


def test_the_flow_reaches_closed_from_accepted_only_forwards():
    targets = [rules.TRANSITIONS[a].target for a in (
        Action.REGISTER, Action.ASSIGN, Action.INVESTIGATE, Action.PUBLISH_WORKAROUND,
        Action.IDENTIFY_SOLUTION, Action.REQUEST_CHANGE, Action.REVIEW, Action.ARCHIVE,
        Action.CLOSE)]
    assert targets == [State.REGISTERED, State.ASSIGNED, State.INVESTIGATING,
                       State.KNOWN_ERROR, State.SOLUTION_IDENTIFIED, State.CHANGE_REQUESTED,
                       State.REVIEWED, State.ARCHIVED, State.CLOSED]
