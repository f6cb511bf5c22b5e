"""Who may do what in the major-incident sub-process. No database access:
objects only need `role`, `pk`, `is_active` (users) and `status` (records)."""

from django.utils.translation import gettext_lazy as _

from opsdesk.core.choices import Role
from opsdesk.core.errors import Forbidden, OpsDeskError, RecordClosed
from opsdesk.incidents.rules import MANAGERS

from .choices import Status

# Who declares a major incident, lifts any, and edits contingency plans:
# the incident manager, the ops service manager, the ops director, an admin.
DECLARERS = MANAGERS
# Who hears every status update besides the team and the requester.
MANAGEMENT = (Role.SERVICE_MANAGER, Role.OPS_DIRECTOR, Role.LEADERSHIP)
# Who receives the major-incident report: management, the incident manager,
# and the problem manager who takes the aftermath problem on (101.6).
REPORT_AUDIENCE = (Role.INCIDENT_MANAGER, Role.SERVICE_MANAGER, Role.OPS_DIRECTOR,
                   Role.LEADERSHIP, Role.PROBLEM_MANAGER)
MIN_INTERVAL, MAX_INTERVAL = 5, 24 * 60


class MajorIncidentLifted(RecordClosed):
    code = "major_incident_lifted"
    default_message = _("The emergency is lifted: this major incident no longer changes.")


class AlreadyMajor(OpsDeskError):
    code = "already_major"
    status = 409
    default_message = _("This incident is already a major incident.")


def may_declare(actor) -> bool:
    return actor.is_authenticated and actor.role in DECLARERS


def check_declare(actor) -> None:
    if not may_declare(actor):
        raise Forbidden(_("Only the incident manager, the ops service manager, the ops director "
                          "or an administrator may declare a major incident."))


def may_edit_plans(actor) -> bool:
    return actor.is_authenticated and actor.role in DECLARERS


def check_edit_plans(actor) -> None:
    if not may_edit_plans(actor):
        raise Forbidden(_("Only managers may edit contingency plans."))


def check_active(major) -> None:
    if major.status != Status.ACTIVE:
        raise MajorIncidentLifted()


def may_work(actor, member_ids: set[int]) -> bool:
    """Post updates and follow the plan: the emergency team and managers."""
    return actor.role in DECLARERS or actor.pk in member_ids


def check_work(actor, member_ids: set[int]) -> None:
    if not may_work(actor, member_ids):
        raise Forbidden(_("Only the emergency team or a manager may do this."))


def may_command(actor, commander_id: int | None) -> bool:
    """Lift the emergency, change the team and the cadence: the commander
    and managers."""
    return actor.role in DECLARERS or (commander_id is not None and actor.pk == commander_id)


def check_command(actor, commander_id: int | None) -> None:
    if not may_command(actor, commander_id):
        raise Forbidden(_("Only the commander or a manager may do this."))


def may_serve(user) -> bool:
    """Can `user` sit in an emergency team? Active staff, not requesters."""
    return user.is_active and user.role != Role.REQUESTER
