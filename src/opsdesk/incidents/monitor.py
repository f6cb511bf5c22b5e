"""The incident manager's view (INC-13): what needs a manager now. Each
section is one bounded query on indexed columns, so the page costs the same
with ten open tickets or a million."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from opsdesk.core import clock

from . import queries
from .choices import UNRESOLVED_STATUSES
from .models import Escalation
from .templatetags.incident_console import may_monitor
from .views import console_view

SECTION_SIZE = 50
REASSIGNMENT_WATCH = 3
ESCALATION_WINDOW = timedelta(hours=24)


def _unresolved(user) -> QuerySet:
    return (queries.visible_incidents(user).filter(status__in=UNRESOLVED_STATUSES)
            .select_related("team", "assignee"))


def breached(user, now) -> QuerySet:
    return _unresolved(user).filter(queries.breached_condition(now)).order_by(
        "priority", "id")[:SECTION_SIZE]


def near_breach(user, now) -> QuerySet:
    return _unresolved(user).filter(queries.near_breach_condition(now)).order_by(
        "priority", "id")[:SECTION_SIZE]


def recent_escalations(user, now) -> QuerySet:
    return (Escalation.objects
            .filter(fired_at__gte=now - ESCALATION_WINDOW,
                    incident__in=queries.visible_incidents(user))
            .select_related("incident__team", "incident__assignee")
            .order_by("-fired_at", "-id")[:SECTION_SIZE])


def often_reassigned(user) -> QuerySet:
    return _unresolved(user).filter(
        reassignment_count__gte=REASSIGNMENT_WATCH,
    ).order_by("-reassignment_count", "id")[:SECTION_SIZE]


def major_incidents(user) -> QuerySet:
    return (queries.visible_incidents(user).filter(major__status="active")
            .select_related("team", "assignee").order_by("id")[:SECTION_SIZE])


SECTIONS = (
    ("breached", _("Breached"), breached),
    ("near-breach", _("Near breach"), near_breach),
    ("reassigned", _("Reassigned three times or more"), lambda user, now: often_reassigned(user)),
    ("major", _("Major incidents"), lambda user, now: major_incidents(user)),
)


@require_GET
@console_view
def monitor_view(request):
    if not may_monitor(request.user):
        raise PermissionDenied
    now = clock.now()
    return render(request, "incidents/monitor.html", {
        "sections": [(name, label, list(rows(request.user, now)))
                     for name, label, rows in SECTIONS],
        "escalations": list(recent_escalations(request.user, now)),
        "unresolved": UNRESOLVED_STATUSES,
    })
