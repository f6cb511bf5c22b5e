"""The SLA clocks of an incident for people (INC-09): due times and the
business time left, coloured by state, for the incident page and queues."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from opsdesk.core import clock as system_clock
from opsdesk.sla import clock

from ..clocks import calendar_of, resolution_paused

register = template.Library()

MET, PAUSED = "met", "paused"
LABELS = {
    "response": pgettext_lazy("SLA clock", "Response"),
    "resolution": pgettext_lazy("SLA clock", "Resolution"),
}


@dataclass(frozen=True)
class ClockView:
    kind: str  # response | resolution
    due_at: datetime | None
    state: str  # ok | near | breached, or met / paused
    text: str

    @property
    def label(self) -> str:
        return str(LABELS[self.kind])


def business_duration(amount: timedelta) -> str:
    """'1 h 20 min' (whole minutes, counted down)."""
    minutes = int(abs(amount).total_seconds()) // 60
    if minutes >= 60:
        return _("%(hours)d h %(minutes)d min") % {"hours": minutes // 60,
                                                     "minutes": minutes % 60}
    return _("%(minutes)d min") % {"minutes": minutes}


def _running(kind, calendar, now, near_at, due_at) -> ClockView:
    left = clock.time_left(calendar, now, due_at)
    text = (_("%(time)s left") if left >= timedelta(0) else _("%(time)s overdue")) % {
        "time": business_duration(left)}
    return ClockView(kind, due_at, clock.state(now, near_at, due_at), text)


def _finished(kind, due_at, at: datetime, breached: bool) -> ClockView:
    when = timezone.localtime(at).strftime("%Y-%m-%d %H:%M")
    text = (_("missed, at %(when)s") if breached else _("met at %(when)s")) % {"when": when}
    return ClockView(kind, due_at, clock.ClockState.BREACHED if breached else MET, text)


def clocks_of(incident, now: datetime | None = None) -> list[ClockView]:
    """The response and resolution clocks, as far as the incident has any."""
    calendar = calendar_of(incident)
    if calendar is None:
        return []
    now = now or system_clock.now()
    views = []
    if incident.responded_at is not None:
        views.append(_finished("response", incident.response_due_at, incident.responded_at,
                               incident.response_breached))
    elif incident.response_due_at is not None:
        views.append(_running("response", calendar, now, incident.response_near_at,
                              incident.response_due_at))
    if incident.resolved_at is not None:
        views.append(_finished("resolution", incident.resolve_due_at, incident.resolved_at,
                               incident.resolve_breached))
    elif resolution_paused(incident):
        views.append(ClockView("resolution", None, PAUSED,
                               _("paused while waiting on the requester")))
    elif incident.resolve_due_at is not None:
        views.append(_running("resolution", calendar, now, incident.resolve_near_at,
                              incident.resolve_due_at))
    return views


@register.simple_tag
def sla_clocks(incident) -> list[ClockView]:
    return clocks_of(incident)


@register.simple_tag
def sla_badge(incident):
    """The clock that matters now: the response until it is given, then the
    resolution. Reads only the incident's own columns (no queries), so a queue
    can show one per row; a queue row may be a dict of those columns."""
    if isinstance(incident, dict):
        incident = SimpleNamespace(**incident)
    views = clocks_of(incident)
    running = [view for view in views if view.state != MET]
    if not running:
        return "—"
    view = running[0]
    return format_html('<span class="badge sla {}" data-sla="{}" data-state="{}" title="{}">{}'
                       '</span>', view.state, view.kind, view.state, view.label, view.text)
