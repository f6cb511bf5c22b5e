"""The incident lifecycle as plain data: which action may move an incident from
which status, and who may take it. No database access; actions call `check`
before writing anything, the console calls `allowed_actions` to show buttons.

Objects passed in only need attributes: an actor has `pk`, `role`, `team_id`;
an incident has `status`, `team_id`, `assignee_id`, `requester_id`, `channel`.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from opsdesk.core.choices import Role
from opsdesk.core.errors import Forbidden, RecordClosed, TransitionNotAllowed

from .choices import (
    CLOSABLE_WITHOUT_CONFIRMATION,
    OPEN_STATUSES,
    UNRESOLVED_STATUSES,
    Action,
    Status,
)


class IncidentClosed(RecordClosed):
    code = "incident_closed"
    default_message = _("This incident is closed and can no longer be changed.")


MANAGERS = frozenset({Role.INCIDENT_MANAGER, Role.SERVICE_MANAGER, Role.OPS_DIRECTOR, Role.ADMIN})
# Who works tickets: the service desk, support engineers at every tier, managers.
HANDLERS = MANAGERS | {Role.AGENT, Role.ENGINEER}
# Tickets dispatched by the service desk return to it for closure (INC-08).
DESK = MANAGERS | {Role.AGENT}
STAFF = frozenset(Role) - {Role.REQUESTER}
EVERYONE = frozenset(Role)


@dataclass(frozen=True)
class Transition:
    sources: frozenset
    target: Status | None  # None: the status does not change
    roles: frozenset
    # Must the actor be handling this ticket (assignee, its team, or a manager)?
    handler_only: bool = False


TRANSITIONS: dict[Action, Transition] = {
    Action.UPDATE: Transition(frozenset(UNRESOLVED_STATUSES), None, HANDLERS),
    Action.COMMENT: Transition(frozenset(OPEN_STATUSES), None, EVERYONE),
    Action.ASSIGN: Transition(frozenset(UNRESOLVED_STATUSES), Status.ASSIGNED, HANDLERS),
    Action.ACCEPT: Transition(frozenset({Status.ASSIGNED}), Status.IN_PROGRESS, HANDLERS, True),
    Action.PEND: Transition(frozenset({Status.IN_PROGRESS}), Status.PENDING, HANDLERS, True),
    Action.RESUME: Transition(frozenset({Status.PENDING}), Status.IN_PROGRESS, HANDLERS, True),
    Action.RESOLVE: Transition(
        frozenset({Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS}), Status.RESOLVED, HANDLERS,
        True,
    ),
    Action.CONFIRM: Transition(
        frozenset({Status.RESOLVED}), Status.CLOSED, DESK | {Role.REQUESTER}
    ),
    Action.REJECT: Transition(frozenset({Status.RESOLVED}), Status.CLOSED, DESK | {Role.REQUESTER}),
    Action.CLOSE: Transition(frozenset({Status.RESOLVED}), Status.CLOSED, DESK),
    Action.LINK_DUPLICATE: Transition(frozenset(UNRESOLVED_STATUSES), None, HANDLERS),
    Action.OVERRIDE_PRIORITY: Transition(frozenset(UNRESOLVED_STATUSES), None, HANDLERS),
    # An incident manager takes a ticket over (INC-13): they become the assignee.
    Action.INTERVENE: Transition(frozenset(UNRESOLVED_STATUSES), None, MANAGERS),
    # Until closure: an engineer who fixed it on site may record the arrival after.
    Action.ARRIVE: Transition(frozenset(OPEN_STATUSES) - {Status.NEW}, None, HANDLERS),
}


def is_handler(actor, incident) -> bool:
    """May `actor` work this ticket right now?

    Managers always may. Otherwise the assignee may; with no assignee, any
    member of the assigned team; a ticket nobody has been given yet belongs to
    the service desk (any agent or engineer may take the first call).
    """
    if actor.role in MANAGERS:
        return True
    if incident.assignee_id is not None:
        return incident.assignee_id == actor.pk
    if incident.team_id is not None:
        return incident.team_id == actor.team_id
    return actor.role in HANDLERS


def may_record_arrival(actor, team) -> bool:
    """An on-site arrival is recorded by the on-site team's engineers, its
    lead, or a manager."""
    return actor.role in MANAGERS or actor.team_id == team.pk or actor.pk == team.lead_id


def check(action: Action, incident, actor) -> Transition:
    """Raise the error a user should see if `actor` may not take `action` now."""
    action = Action(action)
    transition = TRANSITIONS[action]
    if incident.status == Status.CLOSED:
        raise IncidentClosed()
    if actor.role not in transition.roles:
        raise Forbidden(_("Your role may not do this: %(action)s.") % {"action": action.label})
    if actor.role == Role.REQUESTER and incident.requester_id != actor.pk:
        raise Forbidden()
    if incident.status not in transition.sources:
        raise TransitionNotAllowed(
            _("An incident that is %(status)s cannot be changed by “%(action)s”.")
            % {"status": Status(incident.status).label, "action": action.label}
        )
    if transition.handler_only and not is_handler(actor, incident):
        raise Forbidden(
            _("Only the assignee, a member of the assigned team or a manager may do this.")
        )
    if action == Action.CLOSE and incident.channel not in CLOSABLE_WITHOUT_CONFIRMATION:
        raise TransitionNotAllowed(
            _(
                "This incident was reported by a user: record the requester’s confirmation "
                "or rejection instead of closing it directly."
            )
        )
    return transition


def allowed_actions(incident, actor) -> list[Action]:
    allowed = []
    for action in TRANSITIONS:
        try:
            check(action, incident, actor)
        except (Forbidden, TransitionNotAllowed, IncidentClosed):
            continue
        allowed.append(action)
    return allowed


def reassignment_counts(incident, new_team_id, new_assignee_id) -> bool:
    """A reassignment (counted for INC-10's "more than three times") is any
    change of team or person after the first dispatch."""
    if incident.team_id is None and incident.assignee_id is None:
        return False
    return (incident.team_id, incident.assignee_id) != (new_team_id, new_assignee_id)
