"""When an incident escalates (INC-06, INC-10, INC-11). Pure: no database.

Given the SLA snapshot an incident took when its clock started, its state
now and the keys of the steps that already fired, `decide` says which steps
are due at `now` (in the order they fell due) and when the next one will be.
The caller fires the due ones exactly once (a unique key per incident) and
stores the next instant for the sweep. Four kinds of step:

- "p1_logged": a priority 1 incident notifies the incident manager and
  management at once, and a major incident is suggested;
- "response_breach" / "resolution_breach": a target missed escalates
  functionally to the next tier (service desk and L1 → L2 → incident manager);
- "reassigned": reassigned more than three times → the incident manager;
- "matrix:<level>": the hierarchical matrix, measured in business time on
  the ticket's calendar from registration, like the resolution clock: time
  paused on the requester does not count, and nothing of it fires meanwhile.

A resolved incident escalates no more.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from opsdesk.core.choices import Tier

from .calendar import BusinessCalendar, add_business_time
from .choices import EscalationLevel

P1_LOGGED = "p1_logged"
RESPONSE_BREACH = "response_breach"
RESOLUTION_BREACH = "resolution_breach"
REASSIGNED = "reassigned"
MATRIX_PREFIX = "matrix:"
REASSIGNMENT_LIMIT = 3
# Who a missed target goes to, from the tier holding the ticket: a level of
# EscalationLevel or a tier whose team leads are told.
FUNCTIONAL_NEXT = {Tier.SERVICE_DESK: Tier.L2, Tier.L1: Tier.L2}
# Among steps due at the same instant, which fires first.
KIND_ORDER = [P1_LOGGED, RESPONSE_BREACH, RESOLUTION_BREACH, REASSIGNED, MATRIX_PREFIX]
LEVEL_ORDER = list(EscalationLevel)


@dataclass(frozen=True)
class TicketState:
    priority: int
    registered_at: datetime
    response_due_at: datetime | None
    responded: bool
    resolve_due_at: datetime | None  # None while the clock stands still
    resolved: bool
    paused: bool  # pending on the requester: the resolution clock stands still
    paused_seconds: int
    reassignment_count: int
    tier: str | None  # of the assigned team; None: not dispatched yet (the service desk)


@dataclass(frozen=True)
class Step:
    key: str
    level: str  # an EscalationLevel, "management", or a tier (functional escalation)
    due_at: datetime
    reason: dict = field(default_factory=dict)  # data for the note: kind and numbers


@dataclass(frozen=True)
class Decision:
    due: list[Step]
    next_at: datetime | None


def matrix_key(level: str) -> str:
    return MATRIX_PREFIX + level


def functional_target(tier: str | None) -> str:
    """The next tier after `tier`, or the incident manager above L2."""
    return FUNCTIONAL_NEXT.get(tier or Tier.SERVICE_DESK, EscalationLevel.INCIDENT_MANAGER)


def _order(step: Step) -> tuple:
    kind = MATRIX_PREFIX if step.key.startswith(MATRIX_PREFIX) else step.key
    level = LEVEL_ORDER.index(step.level) if step.level in LEVEL_ORDER else 0
    return step.due_at, KIND_ORDER.index(kind), level


def pending_steps(snapshot: dict, state: TicketState) -> list[Step]:
    """Every step the ticket will have (fired or not), in the order they fall due."""
    if state.resolved:
        return []
    steps = []
    if state.priority == 1:
        steps.append(Step(P1_LOGGED, "management", state.registered_at,
                          {"kind": P1_LOGGED}))
    if not state.responded and state.response_due_at is not None:
        steps.append(Step(RESPONSE_BREACH, functional_target(state.tier), state.response_due_at,
                          {"kind": RESPONSE_BREACH, "tier": state.tier}))
    if not state.paused and state.resolve_due_at is not None:
        steps.append(Step(RESOLUTION_BREACH, functional_target(state.tier), state.resolve_due_at,
                          {"kind": RESOLUTION_BREACH, "tier": state.tier}))
    if state.reassignment_count > REASSIGNMENT_LIMIT:
        steps.append(Step(REASSIGNED, EscalationLevel.INCIDENT_MANAGER, state.registered_at,
                          {"kind": REASSIGNED, "count": state.reassignment_count}))
    if snapshot.get("calendar") and not state.paused:
        calendar = BusinessCalendar.from_dict(snapshot["calendar"])
        paused = timedelta(seconds=state.paused_seconds)
        for row in snapshot.get("escalation_steps", []):
            minutes = row["after_minutes"]
            due = add_business_time(calendar, state.registered_at,
                                    timedelta(minutes=minutes) + paused)
            steps.append(Step(matrix_key(row["level"]), row["level"], due,
                              {"kind": "matrix", "priority": snapshot["priority"],
                               "minutes": minutes}))
    return sorted(steps, key=_order)


def next_due(snapshot: dict, state: TicketState, fired: set[str] | frozenset[str]
             ) -> datetime | None:
    """When the earliest unfired step falls (or fell) due; None if none is left."""
    return min((step.due_at for step in pending_steps(snapshot, state)
                if step.key not in fired), default=None)


def decide(snapshot: dict, state: TicketState, fired: set[str] | frozenset[str],
           now: datetime) -> Decision:
    """The unfired steps due at `now`, in order, and when the next one falls due."""
    unfired = [step for step in pending_steps(snapshot, state) if step.key not in fired]
    due = [step for step in unfired if step.due_at <= now]
    later = [step.due_at for step in unfired if step.due_at > now]
    return Decision(due, min(later, default=None))
