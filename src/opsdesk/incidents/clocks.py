"""The SLA clocks of an incident (INC-09), kept as columns the console shows
and a sweep can query by index.

The actions call these inside their own transaction, with the incident row
locked, after they have saved their own change; each function saves only
the clock fields it changed and does not bump the version (the clocks follow
from the action, they are not an edit of their own).

The arithmetic is in opsdesk.sla.clock; this module decides which policy and
calendar apply and when the clocks start, pause and stop:

- at logging, the most specific policy for the priority, customer class and
  service is snapshotted with its calendar, so later edits of either do not
  move running clocks;
- the response clock stops at the first acceptance or public reply by staff
  (or the resolution, which is a reply too);
- pending on the requester stops the resolution clock: its deadline columns
  are empty while it stands still and move later by the paused business time
  when work resumes; pending on a vendor leaves it running, and both kinds of
  interval are recorded as SlaPause rows;
- a change of priority recomputes the deadlines from registration with the
  policy for the new priority, keeping the paused time, and says so on the
  timeline;
- the teams' own clocks (OLA targets, vendors' underpinning contracts) pause,
  resume, stop and follow a priority change with these (incidents.stints).
"""

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from opsdesk.core import clock as system_clock
from opsdesk.core import timeline
from opsdesk.core.choices import CustomerClass
from opsdesk.sla import clock
from opsdesk.sla.calendar import BusinessCalendar, business_time_between
from opsdesk.sla.models import EscalationStep
from opsdesk.sla.queries import load_calendar, policy_for

from . import escalations, stints
from .choices import Status, WaitingOn
from .models import Incident, SlaPause

RESPONSE_FIELDS = ["response_due_at", "response_near_at"]
RESOLUTION_FIELDS = ["resolve_due_at", "resolve_near_at"]


def snapshot_for(incident: Incident) -> dict:
    """The policy that applies to the incident now, with its calendar, as JSON;
    empty if no policy matches (an admin deleted the defaults): no clock runs."""
    customer_class = CustomerClass.VIP if incident.is_vip else CustomerClass.NORMAL
    policy = policy_for(incident.priority, customer_class, incident.service_id)
    if policy is None:
        return {}
    return {
        "policy_id": policy.pk,
        "policy": policy.name,
        "priority": policy.priority,
        "response_minutes": policy.response_minutes,
        "resolution_minutes": policy.resolution_minutes,
        "near_breach_percent": policy.near_breach_percent,
        "calendar": load_calendar(policy.calendar).to_dict(),
        "escalation_steps": [
            {"level": level, "after_minutes": minutes}
            for level, minutes in EscalationStep.objects.filter(priority=policy.priority)
            .order_by("after_minutes", "id").values_list("level", "after_minutes")
        ],
    }


def calendar_of(incident: Incident) -> BusinessCalendar | None:
    snapshot = incident.sla_snapshot
    return BusinessCalendar.from_dict(snapshot["calendar"]) if snapshot else None


def resolution_paused(incident: Incident) -> bool:
    return incident.status == Status.PENDING and incident.waiting_on == WaitingOn.REQUESTER


def start(incident: Incident) -> None:
    """Start the clocks of a new incident from its registration: call it
    before the incident's first save, which then writes the clock columns."""
    incident.sla_snapshot = snapshot_for(incident)
    _set_deadlines(incident)


def _set_deadlines(incident: Incident) -> None:
    """Deadlines from the snapshot, the registration instant and the paused
    time; a response already given keeps the deadline it was measured by.
    The next escalation follows them."""
    _compute_deadlines(incident)
    escalations.schedule(incident)


def _compute_deadlines(incident: Incident) -> None:
    calendar = calendar_of(incident)
    snapshot = incident.sla_snapshot
    if calendar is None:
        for name in RESPONSE_FIELDS + RESOLUTION_FIELDS:
            setattr(incident, name, None)
        return
    percent = snapshot["near_breach_percent"]
    start_at = incident.registered_at
    if incident.responded_at is None:
        response = timedelta(minutes=snapshot["response_minutes"])
        incident.response_due_at = clock.deadline(calendar, start_at, response)
        incident.response_near_at = clock.deadline(calendar, start_at,
                                                   clock.share(response, percent))
    if resolution_paused(incident):
        incident.resolve_due_at = incident.resolve_near_at = None
        return
    resolution = timedelta(minutes=snapshot["resolution_minutes"])
    paused = timedelta(seconds=incident.sla_paused_seconds)
    incident.resolve_due_at = clock.deadline(calendar, start_at, resolution, paused)
    incident.resolve_near_at = clock.deadline(calendar, start_at,
                                              clock.share(resolution, percent), paused)


def _save(incident: Incident, fields: list[str]) -> None:
    incident.save(update_fields=fields)


def responded(incident: Incident) -> None:
    """The first response stops the response clock; later ones change nothing."""
    if incident.responded_at is not None:
        return
    _mark_responded(incident, system_clock.now())
    escalations.schedule(incident)
    _save(incident, ["responded_at", "response_breached", "next_escalation_at"])


def _mark_responded(incident: Incident, now: datetime) -> None:
    incident.responded_at = now
    due = incident.response_due_at
    incident.response_breached = incident.response_breached or (due is not None and now > due)


def replied(incident: Incident, *, actor, public: bool) -> None:
    """A comment answers the requester only if it is public and by staff (a
    robot relaying the customer's own mail is not an answer)."""
    if public and not actor.is_requester and not actor.is_robot:
        responded(incident)


def pause(incident: Incident, *, vendor=None) -> None:
    """The incident has just been set pending (on `vendor`, if it waits on
    one): record the interval's start."""
    now = system_clock.now()
    SlaPause.objects.create(incident=incident, waiting_on=incident.waiting_on, started_at=now)
    stints.pend(incident, vendor, now)
    if resolution_paused(incident):
        _set_deadlines(incident)
        _save(incident, [*RESOLUTION_FIELDS, "next_escalation_at"])


def end_pause(incident: Incident) -> None:
    """The incident is no longer pending (resumed, or reassigned): close the
    open interval; if it was the requester's, move the resolution deadline
    later by its business time."""
    interval = incident.pauses.filter(ended_at=None).first()
    if interval is None:
        return
    interval.ended_at = system_clock.now()
    calendar = calendar_of(incident)
    if calendar is not None:
        measured = business_time_between(calendar, interval.started_at, interval.ended_at)
        interval.business_seconds = int(measured.total_seconds())
    interval.save(update_fields=["ended_at", "business_seconds"])
    stints.end_pending(incident, interval.ended_at)
    if interval.waiting_on == WaitingOn.REQUESTER:
        incident.sla_paused_seconds += interval.business_seconds or 0
        _set_deadlines(incident)
        _save(incident, ["sla_paused_seconds", *RESOLUTION_FIELDS, "next_escalation_at"])


def stop(incident: Incident) -> None:
    """The incident has just been resolved: the resolution clock stops at
    `resolved_at`, and the resolution answers the requester if nothing did before."""
    fields = ["resolve_breached", "next_escalation_at"]
    if incident.responded_at is None:
        _mark_responded(incident, incident.resolved_at)
        fields += ["responded_at", "response_breached"]
    due = incident.resolve_due_at
    incident.resolve_breached = incident.resolve_breached or (
        due is not None and incident.resolved_at > due)
    escalations.schedule(incident)
    _save(incident, fields)
    stints.finish(incident, incident.resolved_at)


def recalculate(incident: Incident, *, actor, source: str, why: str) -> None:
    """The priority changed: take the policy for the new priority and
    recompute the deadlines from registration, keeping the paused time."""
    before = {name: getattr(incident, name) for name in RESPONSE_FIELDS + RESOLUTION_FIELDS}
    old_policy = incident.sla_snapshot.get("policy")
    incident.sla_snapshot = snapshot_for(incident)
    _set_deadlines(incident)
    _save(incident, ["sla_snapshot", *RESPONSE_FIELDS, *RESOLUTION_FIELDS,
                     "next_escalation_at"])
    stints.retarget(incident)
    changes = {
        name: [_iso(before[name]), _iso(getattr(incident, name))]
        for name in ("response_due_at", "resolve_due_at")
    }
    changes["sla_snapshot"] = [old_policy, incident.sla_snapshot.get("policy")]
    note = "\n".join([
        why,
        _("Response due: %(old)s → %(new)s.") % {
            "old": _local(before["response_due_at"]), "new": _local(incident.response_due_at)},
        _("Resolution due: %(old)s → %(new)s.") % {
            "old": _local(before["resolve_due_at"]), "new": _local(incident.resolve_due_at)},
    ])
    timeline.record(incident, actor=actor, source=source, kind="sla_recalculated",
                    changes=changes, note=note)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _local(moment: datetime | None) -> str:
    if moment is None:
        return _("not running")
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
