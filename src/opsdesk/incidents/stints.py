"""Which team holds an incident, and since when, measured against that
team's OLA target (运营水平协议) or that vendor's underpinning contract
(支持合同, UC): the TeamStint rows.

- A stint opens when a team gets the incident (assignment, transfer, the
  copy of a rejected resolution handed back) and ends when another team gets
  it, an incident manager takes it over, or it is resolved.
- The target is snapshotted with its calendar when the stint opens, so an
  admin's edit applies to later stints only; a change of priority retargets
  the running stints from their start, as it does the SLA clocks.
- While the incident is pending, the holding team's clock stands still: it
  waits on someone else. Waiting on a vendor opens a second stint, against
  that vendor's contract, until work resumes; the incident's resolution
  clock keeps running meanwhile (incidents.clocks). A vendor that holds the
  incident itself and waits on itself keeps its one stint running.
- A vendor holding the incident responds by accepting it; its contract's
  response target applies to that.
- An on-site team's stint also has an arrival deadline (`arrival_due_at`,
  from the target's `arrival_minutes`, on the incident's SLA calendar); the
  engineer records `arrived_at` with actions.record_arrival. A vendor the incident merely waits on
  answers outside OpsDesk, so only its resolution target counts.

Called by incidents.clocks and the actions, in their transaction, with the
incident row locked (which serialises every change to its stints).
"""

from datetime import datetime, timedelta

from opsdesk.core.choices import Tier
from opsdesk.sla import clock
from opsdesk.sla.calendar import BusinessCalendar, business_time_between
from opsdesk.sla.models import OlaTarget, UnderpinningContract
from opsdesk.sla.queries import load_calendar

from .models import Incident, StintEnd, StintKind, TeamStint


def target_for(team, priority: int) -> dict:
    """The OLA target of the team's tier (or the vendor's contract) for the
    priority, with its calendar, as JSON; empty when none is configured."""
    if team.tier == Tier.VENDOR:
        row = (UnderpinningContract.objects.filter(vendor=team, priority=priority)
               .select_related("calendar").first())
        if row is None:
            return {}
        return {"kind": "uc", "id": row.pk, "reference": row.reference, "priority": priority,
                "minutes": row.resolution_minutes, "response_minutes": row.response_minutes,
                "calendar": load_calendar(row.calendar).to_dict()}
    row = OlaTarget.objects.filter(tier=team.tier, priority=priority).select_related(
        "calendar").first()
    if row is None:
        return {}
    return {"kind": "ola", "id": row.pk, "priority": priority, "minutes": row.minutes,
            "arrival_minutes": row.arrival_minutes,
            "calendar": load_calendar(row.calendar).to_dict()}


def calendar_of(stint: TeamStint) -> BusinessCalendar | None:
    return BusinessCalendar.from_dict(stint.target["calendar"]) if stint.target else None


def open_stints(incident: Incident) -> dict[str, TeamStint]:
    return {stint.kind: stint
            for stint in TeamStint.objects.filter(incident=incident, ended_at=None)}


def awaiting_arrival(incident: Incident, *, lock: bool = False) -> TeamStint | None:
    """The incident's latest on-site dispatch, while its arrival is unrecorded."""
    latest = TeamStint.objects.filter(incident=incident, kind=StintKind.ASSIGNED,
                                      tier=Tier.ONSITE).select_related("team")
    if lock:
        latest = latest.select_for_update(of=("self",))
    stint = latest.order_by("-started_at", "-id").first()
    return stint if stint is not None and stint.arrived_at is None else None


def hand_over(incident: Incident, now: datetime) -> None:
    """The incident has just been given to `incident.team` (or to nobody):
    the previous team's stint ends, the new team's begins. Another person in
    the same team is no hand-over."""
    holding = open_stints(incident).get(StintKind.ASSIGNED)
    if holding is not None and holding.team_id == incident.team_id:
        return
    if holding is not None:
        _end(holding, now, StintEnd.HANDED_OVER)
    if incident.team_id is not None:
        _open(incident, incident.team, StintKind.ASSIGNED, now)


def take_over(incident: Incident, now: datetime) -> None:
    """An incident manager took the incident over: the team no longer holds it."""
    holding = open_stints(incident).get(StintKind.ASSIGNED)
    if holding is not None:
        _end(holding, now, StintEnd.TAKEN_OVER)


def accepted(incident: Incident, now: datetime) -> None:
    """The holding team accepted the incident (接收): its response."""
    holding = open_stints(incident).get(StintKind.ASSIGNED)
    if holding is not None and holding.responded_at is None:
        holding.responded_at = now
        holding.save(update_fields=["responded_at"])


def pend(incident: Incident, vendor, now: datetime) -> None:
    """The incident has just been set pending, on `vendor` if one is named."""
    stints = open_stints(incident)
    holding = stints.get(StintKind.ASSIGNED)
    if vendor is not None and holding is not None and holding.team_id == vendor.pk:
        return
    if holding is not None:
        holding.paused_at = now
        _schedule(holding)
        holding.save(update_fields=["paused_at", "due_at"])
    if vendor is not None:
        _open(incident, vendor, StintKind.PENDING_ON_VENDOR, now)


def end_pending(incident: Incident, now: datetime) -> None:
    """The incident is no longer pending: the vendor it waited on is done,
    and the holding team's clock runs again."""
    stints = open_stints(incident)
    waiting = stints.get(StintKind.PENDING_ON_VENDOR)
    if waiting is not None:
        _end(waiting, now, StintEnd.RETURNED)
    holding = stints.get(StintKind.ASSIGNED)
    if holding is not None and holding.paused_at is not None:
        _unpause(holding, now)
        holding.save(update_fields=["paused_at", "paused_seconds", "due_at"])


def finish(incident: Incident, now: datetime) -> None:
    """The incident is resolved: every stint ends with it."""
    for stint in open_stints(incident).values():
        _end(stint, now, StintEnd.RESOLVED)


def retarget(incident: Incident) -> None:
    """The priority changed: running stints take the target for the new
    priority, counted from their start, keeping their paused time."""
    for stint in open_stints(incident).values():
        stint.target = target_for(stint.team, incident.priority)
        _schedule(stint)
        if stint.arrived_at is None:
            _schedule_arrival(stint, incident)
        stint.save(update_fields=["target", "due_at", "response_due_at", "arrival_due_at"])


def _open(incident: Incident, team, kind: str, now: datetime) -> TeamStint:
    stint = TeamStint(incident=incident, team=team, tier=team.tier, kind=kind,
                      target=target_for(team, incident.priority), started_at=now)
    _schedule(stint)
    _schedule_arrival(stint, incident)
    stint.save(force_insert=True)
    return stint


def _schedule_arrival(stint: TeamStint, incident: Incident) -> None:
    """An on-site dispatch: by when the engineer must be at the customer's,
    counted on the incident's SLA calendar (the target's if it has none)."""
    minutes = stint.target.get("arrival_minutes") if stint.tier == Tier.ONSITE else None
    if not minutes:
        stint.arrival_due_at = None
        return
    snapshot = incident.sla_snapshot
    calendar = (BusinessCalendar.from_dict(snapshot["calendar"]) if snapshot
                else calendar_of(stint))
    stint.arrival_due_at = clock.deadline(calendar, stint.started_at,
                                          timedelta(minutes=minutes))


def _schedule(stint: TeamStint) -> None:
    """Set the due instants from the snapshot, the start and the paused time:
    none while paused or without a target."""
    calendar = calendar_of(stint)
    if calendar is None:
        stint.due_at = stint.response_due_at = None
        return
    response = stint.target.get("response_minutes")
    if stint.kind == StintKind.ASSIGNED and response and stint.responded_at is None:
        stint.response_due_at = clock.deadline(calendar, stint.started_at,
                                               timedelta(minutes=response))
    if stint.paused_at is not None:
        stint.due_at = None
        return
    stint.due_at = clock.deadline(calendar, stint.started_at,
                                  timedelta(minutes=stint.target["minutes"]),
                                  timedelta(seconds=stint.paused_seconds))


def _unpause(stint: TeamStint, now: datetime) -> None:
    calendar = calendar_of(stint)
    if calendar is not None:
        paused = business_time_between(calendar, stint.paused_at, now)
        stint.paused_seconds += int(paused.total_seconds())
    stint.paused_at = None
    _schedule(stint)


def _end(stint: TeamStint, now: datetime, reason: str) -> None:
    if stint.paused_at is not None:
        _unpause(stint, now)
    stint.ended_at, stint.end_reason = now, reason
    stint.breached = stint.due_at is not None and now > stint.due_at
    stint.save(update_fields=["ended_at", "end_reason", "paused_at", "paused_seconds",
                              "due_at", "breached"])
