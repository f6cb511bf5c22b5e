"""Firing escalation steps (INC-06, INC-10, INC-11): the body of the
`actions.escalate` action, also run by the SLA sweep and, inside their own
transactions, by logging (priority 1) and assignment (reassigned too often).

opsdesk.sla.rules decides what is due; this module fires each due step
exactly once — an Escalation row unique per (incident, key), inserted in a
savepoint, so a second worker or a retry finds it there and fires nothing —
with a timeline event saying why and who was told, and notifications in the
outbox, all in the caller's transaction. Handling never stops: the status
does not change. `schedule` keeps `next_escalation_at` for the sweep.
"""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from opsdesk.core import outbox, timeline
from opsdesk.core.choices import Role, Tier
from opsdesk.core.models import Team, User
from opsdesk.sla import rules
from opsdesk.sla.choices import EscalationLevel

from .choices import Status, WaitingOn
from .models import Escalation, Incident

MANAGEMENT = [Role.INCIDENT_MANAGER, Role.SERVICE_MANAGER, Role.OPS_DIRECTOR]


def state_of(incident: Incident) -> rules.TicketState:
    return rules.TicketState(
        priority=incident.priority,
        registered_at=incident.registered_at,
        response_due_at=incident.response_due_at,
        responded=incident.responded_at is not None,
        resolve_due_at=incident.resolve_due_at,
        resolved=incident.resolved_at is not None or incident.status == Status.CLOSED,
        paused=(incident.status == Status.PENDING
                and incident.waiting_on == WaitingOn.REQUESTER),
        paused_seconds=incident.sla_paused_seconds,
        reassignment_count=incident.reassignment_count,
        tier=incident.team.tier if incident.team_id else None,
    )


def fired_keys(incident: Incident) -> set[str]:
    if incident.pk is None:
        return set()
    return set(Escalation.objects.filter(incident=incident).values_list("key", flat=True))


def fired_keys_of(incident_ids: list[int]) -> dict[int, set[str]]:
    """fired_keys for many incidents in one query."""
    keys: dict[int, set[str]] = {pk: set() for pk in incident_ids}
    for incident_id, key in Escalation.objects.filter(
            incident__in=incident_ids).values_list("incident_id", "key"):
        keys[incident_id].add(key)
    return keys


def schedule(incident: Incident) -> None:
    """Set (not save) `next_escalation_at`: the earliest unfired step's instant."""
    incident.next_escalation_at = rules.next_due(
        incident.sla_snapshot, state_of(incident), fired_keys(incident))


def fire_due(incident: Incident, *, actor: User | None, source: str, now: datetime,
             fired_before: set[str] | None = None, audience=None) -> list[rules.Step]:
    """Fire the steps due at `now` for an incident locked by the caller, in
    order, and save the next instant. Returns the steps this call fired.
    A caller firing many incidents may pass the keys each has fired (read
    under the lock) and an Audience shared by them."""
    if fired_before is None:
        fired_before = fired_keys(incident)
    decision = rules.decide(incident.sla_snapshot, state_of(incident), fired_before, now)
    audience = audience or recipients
    fired = [step for step in decision.due
             if _fire(incident, step, actor, source, now, audience(incident, step))]
    incident.next_escalation_at = decision.next_at
    incident.save(update_fields=["next_escalation_at", "response_breached", "resolve_breached",
                                 "major_incident_offered"])
    return fired


def _fire(incident: Incident, step: rules.Step, actor, source: str, now: datetime,
          people: list[User]) -> bool:
    reason = reason_text(step)
    try:
        with transaction.atomic():
            Escalation.objects.create(incident=incident, key=step.key, level=step.level,
                                      fired_at=now, reason=reason)
    except IntegrityError:
        return False  # fired already, by another worker or an earlier call
    changes = {"escalation": [None, step.key], "level": [None, step.level]}
    if step.key == rules.RESPONSE_BREACH and not incident.response_breached:
        incident.response_breached = True
        changes["response_breached"] = [False, True]
    if step.key == rules.RESOLUTION_BREACH and not incident.resolve_breached:
        incident.resolve_breached = True
        changes["resolve_breached"] = [False, True]
    if step.key == rules.P1_LOGGED and not incident.major_incident_offered:
        incident.major_incident_offered = True
        changes["major_incident_offered"] = [False, True]
    note = _("%(reason)s Notified: %(people)s.") % {
        "reason": reason, "people": _people(people) or _("nobody (no one holds this role)")}
    timeline.record(incident, actor=actor, source=source, kind="escalated", changes=changes,
                    note=note)
    event = "incident_logged_p1" if step.key == rules.P1_LOGGED else "escalated"
    outbox.enqueue(incident, event=event, recipients=people, actor=actor,
                   context={"incident": incident, "reason": reason,
                            "level": level_label(step.level)})
    return True


def reason_text(step: rules.Step) -> str:
    """Why the step fired, in the current language (for the timeline and mails)."""
    kind = step.reason["kind"]
    if kind == rules.P1_LOGGED:
        return _("Priority 1 incident logged: incident manager and management notified at "
                 "once; consider declaring a major incident.")
    if kind == rules.RESPONSE_BREACH:
        return _("Response SLA 100%% elapsed: functional escalation to %(level)s.") % {
            "level": level_label(step.level)}
    if kind == rules.RESOLUTION_BREACH:
        return _("Resolution SLA 100%% elapsed: functional escalation to %(level)s.") % {
            "level": level_label(step.level)}
    if kind == rules.REASSIGNED:
        return _("Reassigned %(count)d times, more than three: escalated to the incident "
                 "manager.") % {"count": step.reason["count"]}
    return _("Escalation matrix for P%(priority)d: %(minutes)d minutes since registration "
             "(business time).") % {"priority": step.reason["priority"],
                                    "minutes": step.reason["minutes"]}


def level_label(level: str) -> str:
    if level == "management":
        return _("the incident manager and management")
    if level in Tier.values:
        return str(Tier(level).label)
    return str(EscalationLevel(level).label)


def recipients(incident: Incident, step: rules.Step) -> list[User]:
    """The people a step notifies, in a stable order."""
    if step.key == rules.P1_LOGGED:
        return _holding(MANAGEMENT)
    if step.level in Tier.values:  # functional: the next tier's leads, and the manager
        leads = User.objects.filter(
            pk__in=Team.objects.filter(tier=step.level).values("lead"), is_active=True)
        return [*leads.order_by("username"), *_holding([Role.INCIDENT_MANAGER])]
    if step.level == EscalationLevel.TEAM_LEAD:
        lead = incident.team.lead if incident.team_id else None
        return [lead] if lead is not None and lead.is_active else []
    return _holding([step.level])


class Audience:
    """`recipients`, each answer looked up once: a sweep batch asks the same
    roles and tiers for every incident in it."""

    def __init__(self):
        self._known: dict[tuple, list[User]] = {}

    def __call__(self, incident: Incident, step: rules.Step) -> list[User]:
        team = incident.team_id if step.level == EscalationLevel.TEAM_LEAD else None
        key = (step.key == rules.P1_LOGGED, step.level, team)
        if key not in self._known:
            self._known[key] = recipients(incident, step)
        return self._known[key]


def _holding(roles) -> list[User]:
    users = User.objects.filter(role__in=roles, is_active=True)
    return sorted(users, key=lambda user: (list(roles).index(user.role), user.username))


def _people(users: list[User]) -> str:
    return ", ".join(f"{user.get_role_display()} {user}" for user in users)
