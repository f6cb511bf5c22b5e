"""Who may read audit evidence (RPT-02).

The people accountable for the service-management system audit it: the
administrator, the ops service manager and the ops director, and the
process managers for their processes' records (incident, problem and change
manager; they read every record type, since records link across processes).
Agents and engineers see a record's timeline on the record's own page;
company leadership reads the reports; requesters never see audit evidence.
"""

from django.utils.translation import gettext as _

from opsdesk.core.choices import Role
from opsdesk.core.errors import Forbidden

AUDITOR_ROLES = frozenset({
    Role.ADMIN, Role.SERVICE_MANAGER, Role.OPS_DIRECTOR,
    Role.INCIDENT_MANAGER, Role.PROBLEM_MANAGER, Role.CHANGE_MANAGER,
})


def may_audit(user) -> bool:
    if not user.is_authenticated or user.is_requester:
        return False
    return user.is_superuser or user.role in AUDITOR_ROLES


def check_auditor(user) -> None:
    if not may_audit(user):
        raise Forbidden(_("Only administrators, the service manager, the ops director and the "
                          "process managers may read audit evidence."))
