"""Who may read and change the CMDB. Plain code, no database access."""

from opsdesk.core.choices import Role

# Read-only for the service desk and managers; the people who build and run
# the infrastructure keep it current.
EDITORS = frozenset({Role.ADMIN, Role.ENGINEER, Role.CHANGE_MANAGER, Role.SERVICE_MANAGER})


def may_view(user) -> bool:
    return user.is_authenticated and not user.is_requester


def may_change(user) -> bool:
    return may_view(user) and (user.is_superuser or user.role in EDITORS)
