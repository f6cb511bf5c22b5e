"""The problem lifecycle (PRB-03) as plain data: which action may move a
problem from which state, and who may take it. No database access.

Who does what follows the process manual: the problem manager (服务管理负责人)
accepts, dismisses, assigns the owner and chairs the review; the owner
(问题负责人) investigates, publishes the known error and the solution,
requests the change, archives and closes; whoever works incidents may raise
and classify a problem and link incidents to it. Managers may step in
anywhere. Objects passed in only need attributes: an actor has `pk`, `role`,
`team_id`; a problem has `state`, `owner_id`, `team_id`.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from opsdesk.core.choices import Role
from opsdesk.core.errors import Forbidden, RecordClosed, TransitionNotAllowed
from opsdesk.incidents.rules import HANDLERS as INCIDENT_HANDLERS

from .choices import FINAL_STATES, OPEN_STATES, SOLVED_STATES, Action, State


class ProblemClosed(RecordClosed):
    code = "problem_closed"
    default_message = _("This problem is closed and can no longer be changed.")


PROBLEM_MANAGERS = frozenset({Role.PROBLEM_MANAGER, Role.ADMIN})
# Who may raise a problem, classify it and link incidents: everyone who works tickets.
REPORTERS = PROBLEM_MANAGERS | INCIDENT_HANDLERS
# Who may be a problem owner or sit in the analysis group.
OWNER_ROLES = PROBLEM_MANAGERS | {Role.ENGINEER, Role.INCIDENT_MANAGER}


class Who:
    """Who may take an action, beyond their role."""

    MANAGER = "manager"  # the problem manager only
    OWNER = "owner"  # the owner (or the problem manager)
    GROUP = "group"  # the owner, the analysis group (or the problem manager)
    REPORTER = "reporter"  # anyone who works incidents


@dataclass(frozen=True)
class Transition:
    sources: frozenset
    target: State | None  # None: the state does not change
    who: str


WORKING = frozenset({State.ASSIGNED, State.INVESTIGATING, State.KNOWN_ERROR})
TRANSITIONS: dict[Action, Transition] = {
    Action.ACCEPT: Transition(frozenset({State.PROPOSED}), State.ACCEPTED, Who.MANAGER),
    Action.DISMISS: Transition(frozenset({State.PROPOSED}), State.DISMISSED, Who.MANAGER),
    Action.REGISTER: Transition(frozenset({State.ACCEPTED}), State.REGISTERED, Who.REPORTER),
    Action.ASSIGN: Transition(
        frozenset({State.REGISTERED, State.ASSIGNED, State.INVESTIGATING, State.KNOWN_ERROR}),
        State.ASSIGNED, Who.MANAGER),
    Action.INVESTIGATE: Transition(frozenset({State.ASSIGNED}), State.INVESTIGATING, Who.OWNER),
    Action.PUBLISH_WORKAROUND: Transition(frozenset({State.INVESTIGATING}), State.KNOWN_ERROR,
                                          Who.OWNER),
    Action.IDENTIFY_SOLUTION: Transition(frozenset({State.INVESTIGATING, State.KNOWN_ERROR}),
                                         State.SOLUTION_IDENTIFIED, Who.OWNER),
    Action.REQUEST_CHANGE: Transition(frozenset({State.SOLUTION_IDENTIFIED}),
                                      State.CHANGE_REQUESTED, Who.OWNER),
    Action.REVIEW: Transition(frozenset({State.SOLUTION_IDENTIFIED, State.CHANGE_REQUESTED}),
                              State.REVIEWED, Who.MANAGER),
    Action.ARCHIVE: Transition(frozenset({State.REVIEWED}), State.ARCHIVED, Who.OWNER),
    Action.CLOSE: Transition(frozenset({State.ARCHIVED}), State.CLOSED, Who.OWNER),
    Action.UPDATE: Transition(frozenset(OPEN_STATES - {State.ARCHIVED}) | {State.PROPOSED}, None,
                              Who.GROUP),
    Action.LINK_INCIDENT: Transition(frozenset(OPEN_STATES) | {State.PROPOSED}, None,
                                     Who.REPORTER),
    Action.NOTIFY_INCIDENTS: Transition(SOLVED_STATES, None, Who.OWNER),
}


def may(who: str, actor, problem) -> bool:
    if actor.role in PROBLEM_MANAGERS:
        return True
    if who == Who.MANAGER:
        return False
    if who == Who.REPORTER:
        return actor.role in REPORTERS
    if problem.owner_id is not None and problem.owner_id == actor.pk:
        return True
    return (who == Who.GROUP and problem.team_id is not None
            and problem.team_id == actor.team_id and actor.role in REPORTERS)


WHO_MESSAGES = {
    Who.MANAGER: _("Only the problem manager may do this."),
    Who.OWNER: _("Only the problem owner or the problem manager may do this."),
    Who.GROUP: _("Only the problem owner, its analysis group or the problem manager may do "
                 "this."),
    Who.REPORTER: _("Your role may not do this."),
}


def check(action: Action, problem, actor) -> Transition:
    """Raise the error a user should see if `actor` may not take `action` now."""
    action = Action(action)
    transition = TRANSITIONS[action]
    if problem.state == State.CLOSED:
        raise ProblemClosed()
    if not may(transition.who, actor, problem):
        raise Forbidden(WHO_MESSAGES[transition.who])
    if problem.state not in transition.sources:
        raise TransitionNotAllowed(
            _("A problem that is %(state)s cannot be changed by “%(action)s”.")
            % {"state": State(problem.state).label, "action": action.label}
        )
    return transition


def allowed_actions(problem, actor) -> list[Action]:
    allowed = []
    for action in TRANSITIONS:
        try:
            check(action, problem, actor)
        except (Forbidden, TransitionNotAllowed, ProblemClosed):
            continue
        allowed.append(action)
    return allowed


def may_raise(actor) -> bool:
    return actor.role in REPORTERS


def is_final(problem) -> bool:
    return problem.state in FINAL_STATES
