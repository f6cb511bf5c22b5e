"""Who hears about a major incident, and the text a plan's communication
template (应急信息通报) makes of a status update."""

import re

from django.utils import timezone

from opsdesk.core.models import User

from .rules import MANAGEMENT, REPORT_AUDIENCE

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def holding(roles) -> list[User]:
    users = User.objects.filter(role__in=roles, is_active=True)
    return sorted(users, key=lambda user: (list(roles).index(user.role), user.username))


def requester_of(incident) -> list:
    """The requester's account, else the reporter's address, if any."""
    if incident.requester_id:
        return [incident.requester]
    return [incident.reporter_email] if incident.reporter_email else []


def stakeholders(team: list[User], incident) -> list:
    """The team, management and the requester: each is told once (the
    outbox merges a person named twice)."""
    return [*team, *holding(MANAGEMENT), *requester_of(incident)]


def report_audience() -> list[User]:
    return holding(REPORT_AUDIENCE)


def fill(template: str, values: dict[str, str]) -> str:
    """The plan's text with its {placeholders} filled in. Plain substitution,
    never template rendering: the text is user input. Unknown names stay."""
    return PLACEHOLDER.sub(lambda match: values.get(match[1], match[0]), template)


def communication_values(major, *, update: str, services, commander) -> dict[str, str]:
    due = major.update_due_at
    return {
        "incident": major.number,
        "title": major.incident.title,
        "services": "、".join(service.name for service in services) or "—",
        "update": update,
        "next_update": timezone.localtime(due).strftime("%Y-%m-%d %H:%M") if due else "—",
        "commander": str(commander) if commander else "—",
    }
