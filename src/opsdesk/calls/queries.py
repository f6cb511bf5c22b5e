"""Reading call records for a user: staff only."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from opsdesk.core.errors import Forbidden

from . import rules
from .models import CallRecord

CALL_RELATED = ("customer", "agent", "incident")


def visible_calls(user) -> QuerySet:
    if not rules.may_view(user):
        raise Forbidden(_("Call records are for service staff."))
    return CallRecord.objects.select_related(*CALL_RELATED)


def filter_calls(calls: QuerySet, *, source: str = "", direction: str = "", answered=None,
                 since=None, until=None, agent: str = "", incident: str = "") -> QuerySet:
    if source:
        calls = calls.filter(source=source)
    if direction:
        calls = calls.filter(direction=direction)
    if answered is not None:
        calls = calls.filter(answered_at__isnull=not answered)
    if since is not None:
        calls = calls.filter(offered_at__gte=since)
    if until is not None:
        calls = calls.filter(offered_at__lt=until)
    if agent:
        calls = calls.filter(agent__username=agent)
    if incident:
        calls = calls.filter(incident__number=incident)
    return calls


def calls_of_incident(incident) -> list[CallRecord]:
    return list(CallRecord.objects.filter(incident=incident).select_related("agent")
                .order_by("offered_at", "pk"))
