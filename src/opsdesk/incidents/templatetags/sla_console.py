"""The SLA clocks of an incident for people (INC-09): due times and the
business time left, coloured by state, for the incident page and queues;
and the teams' own clocks (OLA targets, vendors' underpinning contracts)."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from opsdesk.core import clock as system_clock
from opsdesk.sla import clock
from opsdesk.sla import rules as escalation_rules

from .. import escalations, stints
from ..clocks import calendar_of, resolution_paused
from ..models import StintKind

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


def time_left_text(calendar, now: datetime, due_at: datetime) -> str:
    left = clock.time_left(calendar, now, due_at)
    return (_("%(time)s left") if left >= timedelta(0) else _("%(time)s overdue")) % {
        "time": business_duration(left)}


def _running(kind, calendar, now, near_at, due_at) -> ClockView:
    return ClockView(kind, due_at, clock.state(now, near_at, due_at),
                     time_left_text(calendar, now, due_at))


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


@dataclass(frozen=True)
class StintView:
    kind: str  # ola | uc: which agreement the line measures
    label: str
    due_at: datetime | None
    state: str  # ok | breached | met | paused | none
    text: str


def _stint_label(stint, action: str) -> str:
    names = {"team": stint.team, "tier": stint.get_tier_display()}
    if not stint.target:
        return _("%(team)s (%(tier)s)") % names
    if stint.target["kind"] == "ola":
        return _("OLA · %(team)s (%(tier)s): hand over by") % names
    names["contract"] = stint.target["reference"]
    if stint.kind == StintKind.PENDING_ON_VENDOR:
        return _("UC %(contract)s · %(team)s, pending on the vendor: resolve by") % names
    if action == "respond":
        return _("UC %(contract)s · %(team)s: respond by") % names
    return _("UC %(contract)s · %(team)s: resolve by") % names


def _stint_running(stint, action: str, due_at: datetime, now: datetime) -> StintView:
    return StintView(stint.target["kind"], _stint_label(stint, action), due_at,
                     clock.state(now, None, due_at),
                     time_left_text(stints.calendar_of(stint), now, due_at))


def _stint_views(stint, now: datetime) -> list[StintView]:
    kind = stint.target.get("kind") or ("uc" if stint.is_vendor_contract else "ola")
    if not stint.target:
        text = (_("no underpinning contract for this priority") if kind == "uc"
                else _("no OLA target for this priority"))
        return [StintView(kind, _stint_label(stint, "resolve"), None, "none", text)]
    if stint.ended_at is not None:
        when = timezone.localtime(stint.ended_at).strftime("%Y-%m-%d %H:%M")
        names = {"how": capfirst(stint.get_end_reason_display()), "when": when}
        text = (_("%(how)s at %(when)s: target missed") if stint.breached
                else _("%(how)s at %(when)s: within target")) % names
        state = clock.ClockState.BREACHED if stint.breached else MET
        return [StintView(kind, _stint_label(stint, "resolve"), stint.due_at, state, text)]
    views = []
    if stint.response_due_at is not None and stint.responded_at is None:
        views.append(_stint_running(stint, "respond", stint.response_due_at, now))
    if stint.paused_at is not None:
        views.append(StintView(kind, _stint_label(stint, "resolve"), None, PAUSED,
                               _("paused while the incident is pending")))
    else:
        views.append(_stint_running(stint, "resolve", stint.due_at, now))
    return views


def _arrival_view(stint, incident, now: datetime) -> StintView:
    """An on-site dispatch's arrival deadline (seed 004: 规定时间内到达客户现场)."""
    label = _("On site · %(team)s: arrive by") % {"team": stint.team}
    due_at = stint.arrival_due_at
    if stint.arrived_at is not None:
        when = timezone.localtime(stint.arrived_at).strftime("%Y-%m-%d %H:%M")
        late = stint.arrived_at > due_at
        text = (_("arrived at %(when)s: late") if late
                else _("arrived at %(when)s: in time")) % {"when": when}
        return StintView("arrival", label, due_at,
                         clock.ClockState.BREACHED if late else MET, text)
    if stint.ended_at is not None:
        return StintView("arrival", label, due_at, "none", _("no arrival recorded"))
    calendar = calendar_of(incident) or stints.calendar_of(stint)  # as stints counted it
    return StintView("arrival", label, due_at, clock.state(now, None, due_at),
                     time_left_text(calendar, now, due_at))


@register.simple_tag
def team_stints(incident) -> list[StintView]:
    """Every team's stint with the incident, oldest first, as lines to show,
    an on-site dispatch's arrival first."""
    now = system_clock.now()
    views = []
    for stint in incident.stints.select_related("team"):
        if stint.arrival_due_at is not None:
            views.append(_arrival_view(stint, incident, now))
        views.extend(_stint_views(stint, now))
    return views


@dataclass(frozen=True)
class NextStep:
    due_at: datetime
    text: str


def _step_cause(step) -> str:
    kind = step.reason["kind"]
    if kind == escalation_rules.RESPONSE_BREACH:
        return _("if the response target is missed")
    if kind == escalation_rules.RESOLUTION_BREACH:
        return _("if the resolution target is missed")
    if kind == "matrix":
        return _("escalation matrix, %(minutes)d minutes of business time after "
                 "registration") % {"minutes": step.reason["minutes"]}
    return _("at once")


@register.simple_tag
def next_escalation(incident) -> NextStep | None:
    """What the escalation engine will do next and when (INC-10, INC-11)."""
    if incident.pk is None or not incident.sla_snapshot:
        return None
    fired = escalations.fired_keys(incident)
    upcoming = [step for step in escalation_rules.pending_steps(
        incident.sla_snapshot, escalations.state_of(incident)) if step.key not in fired]
    if not upcoming:
        return None
    step = upcoming[0]
    return NextStep(step.due_at, _("Notify %(level)s (%(cause)s)") % {
        "level": escalations.level_label(step.level), "cause": _step_cause(step)})
