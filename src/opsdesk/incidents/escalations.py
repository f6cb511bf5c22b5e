"""Firing escalation steps (INC-06, INC-10, INC-11): the body of the
`actions.escalate` action, also run by the SLA sweep and, inside their own
transactions, by logging (priority 1) and assignment (reassigned too often).

opsdesk.sla.rules decides what is due; this module fires each due step
exactly once — an Escalation row unique per (incident, key), inserted unless
it exists (ON CONFLICT DO NOTHING), so a second worker or a retry finds it
there and fires nothing — with a timeline event saying why and who was told,
and notifications in the outbox, all in the caller's transaction. The sweep
fires a whole batch of incidents with a few set-wise statements. Handling never stops: the status
does not change. `schedule` keeps `next_escalation_at` for the sweep.
"""

from collections.abc import Iterator
from datetime import datetime

from django.db import connection
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


def fire_due(incident: Incident, *, actor: User | None, source: str,
             now: datetime) -> list[rules.Step]:
    """Fire the steps due at `now` for an incident locked by the caller, in
    order, and save the next instant. Returns the steps this call fired."""
    return fire_many([incident], actor=actor, source=source, now=now)


def fire_many(incidents: list[Incident], *, actor: User | None, source: str,
              now: datetime) -> list[rules.Step]:
    """`fire_due` for incidents locked by the caller, with the same number of
    queries for one or a hundred: one INSERT each for the Escalation rows,
    the timeline events and the notifications, one UPDATE of the incidents
    (whose instances get the new `next_escalation_at` and flags too)."""
    fired_before = fired_keys_of([incident.pk for incident in incidents])
    decisions = [(incident, rules.decide(incident.sla_snapshot, state_of(incident),
                                         fired_before[incident.pk], now))
                 for incident in incidents]
    due = [(incident, step, reason_text(step))
           for incident, decision in decisions for step in decision.due]
    inserted = _insert_escalations(due, now)
    firing = [(incident, step, reason) for incident, step, reason in due
              if (incident.pk, step.key) in inserted]
    audience, events, messages = Audience(), [], []
    for incident, step, reason in firing:
        people, named = audience(incident, step)
        note = _("%(reason)s Notified: %(people)s.") % {"reason": reason, "people": named}
        events.append(timeline.entry(incident, actor=actor, source=source, kind="escalated",
                                     changes=_mark(incident, step), note=note))
        messages.append(outbox.Message(
            incident, event="incident_logged_p1" if step.key == rules.P1_LOGGED else "escalated",
            recipients=people,
            context={"incident": incident, "reason": reason, "level": level_label(step.level)}))
    timeline.record_many(events)
    outbox.enqueue_many(messages, actor=actor)
    for incident, decision in decisions:
        incident.next_escalation_at = decision.next_at
    _save_schedules(incidents)
    return [step for _incident, step, _reason in firing]


def _insert_escalations(due: list[tuple[Incident, rules.Step, str]],
                        now: datetime) -> set[tuple[int, str]]:
    """Insert an Escalation row per due step, except where one exists (a
    second worker or an earlier call fired it); returns the (incident id,
    key) inserted: the steps this call fires."""
    if not due:
        return set()
    fired_at = connection.ops.adapt_datetimefield_value(now)
    inserted = set()
    with connection.cursor() as cursor:
        for chunk in _chunks(due, width=5):
            cursor.execute(
                f"INSERT INTO {_quote(Escalation._meta.db_table)} "
                f"({_columns('incident_id', 'key', 'level', 'fired_at', 'reason')}) "
                f"VALUES {_rows(len(chunk), '(%s, %s, %s, %s, %s)')} "
                f"ON CONFLICT ({_columns('incident_id', 'key')}) DO NOTHING "
                f"RETURNING {_columns('incident_id', 'key')}",
                [value for incident, step, reason in chunk
                 for value in (incident.pk, step.key, step.level, fired_at, reason)])
            inserted.update(cursor.fetchall())
    return inserted


SCHEDULE_FIELDS = ("next_escalation_at", "response_breached", "resolve_breached",
                   "major_incident_offered")


def _save_schedules(incidents: list[Incident]) -> None:
    """Save SCHEDULE_FIELDS of the incidents with one UPDATE … FROM (VALUES …):
    bulk_update's CASE per row and field cost more than the rest of a batch."""
    table = _quote(Incident._meta.db_table)
    # PostgreSQL types a VALUES column of NULLs as text.
    instant = "CAST(%s AS timestamp with time zone)" if connection.vendor == "postgresql" else "%s"
    assignments = ", ".join(f"{_quote(field)} = v.column{number}"
                            for number, field in enumerate(SCHEDULE_FIELDS, start=2))
    with connection.cursor() as cursor:
        for chunk in _chunks(incidents, width=5):
            cursor.execute(
                f"UPDATE {table} SET {assignments} "
                f"FROM (VALUES {_rows(len(chunk), f'(%s, {instant}, %s, %s, %s)')}) AS v "
                f"WHERE {table}.{_quote('id')} = v.column1",
                [value for incident in chunk for value in (
                    incident.pk,
                    connection.ops.adapt_datetimefield_value(incident.next_escalation_at),
                    incident.response_breached, incident.resolve_breached,
                    incident.major_incident_offered)])


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _columns(*names: str) -> str:
    return ", ".join(map(_quote, names))


def _rows(count: int, row: str) -> str:
    return ", ".join([row] * count)


def _chunks(rows: list, *, width: int) -> Iterator[list]:
    """`rows` in pieces small enough for the database's limit on parameters
    (SQLite's can be 999), `width` parameters a row."""
    size = (connection.features.max_query_params or 65535) // width
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def _mark(incident: Incident, step: rules.Step) -> dict:
    """Set the flag a fired step raises; the timeline's changes for it."""
    changes = {"escalation": [None, step.key], "level": [None, step.level]}
    flag = {rules.RESPONSE_BREACH: "response_breached", rules.RESOLUTION_BREACH:
            "resolve_breached", rules.P1_LOGGED: "major_incident_offered"}.get(step.key)
    if flag and not getattr(incident, flag):
        setattr(incident, flag, True)
        changes[flag] = [False, True]
    return changes


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
    """`recipients` and how the timeline names them, each answer worked out
    once: a batch asks the same roles and tiers for every incident in it."""

    def __init__(self):
        self._known: dict[tuple, tuple[list[User], str]] = {}

    def __call__(self, incident: Incident, step: rules.Step) -> tuple[list[User], str]:
        team = incident.team_id if step.level == EscalationLevel.TEAM_LEAD else None
        key = (step.key == rules.P1_LOGGED, step.level, team)
        if key not in self._known:
            people = recipients(incident, step)
            self._known[key] = people, _people(people) or _("nobody (no one holds this role)")
        return self._known[key]


def _holding(roles) -> list[User]:
    users = User.objects.filter(role__in=roles, is_active=True)
    return sorted(users, key=lambda user: (list(roles).index(user.role), user.username))


def _people(users: list[User]) -> str:
    return ", ".join(f"{user.get_role_display()} {user}" for user in users)
