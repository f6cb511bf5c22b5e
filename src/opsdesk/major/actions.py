"""Every change to a major incident goes through a function of this module
(INC-12, seed 101). Each runs in one durable transaction: it locks the
record, checks who may act (rules), writes, puts an event on the incident's
timeline and queues the notifications in the outbox."""

from datetime import timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from opsdesk.core import clock, outbox, timeline
from opsdesk.core.errors import Invalid, TransitionNotAllowed
from opsdesk.incidents import rules as incident_rules
from opsdesk.incidents.choices import UNRESOLVED_STATUSES
from opsdesk.incidents.models import Incident
from opsdesk.incidents.validation import optional_text, required_text, within_past

from . import aftermath, broadcast, finding, rules
from .choices import Status, TeamRole
from .models import MajorIncident, ResponseStep, StatusUpdate, TeamMember


def _interval(minutes, errors: dict) -> int | None:
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not (
            rules.MIN_INTERVAL <= minutes <= rules.MAX_INTERVAL):
        errors["update_interval_minutes"] = _("Give a whole number of minutes from %(low)d to "
                                              "%(high)d.") % {"low": rules.MIN_INTERVAL,
                                                              "high": rules.MAX_INTERVAL}
        return None
    return minutes


def _check_team(team: list[tuple], errors: dict) -> None:
    seen = set()
    for user, role in team:
        if role not in TeamRole.values or role == TeamRole.COMMANDER:
            errors["team"] = _("Choose a team role other than commander for %(user)s.") % {
                "user": user}
        elif not rules.may_serve(user):
            errors["team"] = _("%(user)s cannot be in the emergency team.") % {"user": user}
        elif user.pk in seen:
            errors["team"] = _("%(user)s is named twice.") % {"user": user}
        seen.add(user.pk)


def _describe_team(members) -> list[str]:
    return [f"{member.user} ({member.get_role_display()})" for member in members]


@transaction.atomic(durable=True)
def declare(incident: Incident, *, actor, source: str, reason: str, commander=None,
            team: list[tuple] = (), update_interval_minutes: int = 30) -> MajorIncident:
    """Declare a major incident (101.1): assemble the emergency team, attach
    the contingency plans that apply (101.2, with their steps to follow) and
    tell the team and management."""
    rules.check_declare(actor)
    commander = commander or actor
    team = [(user, role) for user, role in team if user.pk != commander.pk]
    errors = {}
    reason = required_text(reason, "reason", 5000, errors)
    interval = _interval(update_interval_minutes, errors)
    if not rules.may_serve(commander):
        errors["commander"] = _("%(user)s cannot be in the emergency team.") % {"user": commander}
    _check_team(team, errors)
    if errors:
        raise Invalid(fields=errors)
    incident = Incident.objects.select_for_update(of=("self",)).select_related(
        "ci", "customer").get(pk=incident.pk)
    if incident.is_closed:
        raise incident_rules.IncidentClosed()
    if incident.status not in UNRESOLVED_STATUSES:
        raise TransitionNotAllowed(_("Only an unresolved incident can be declared a major "
                                     "incident."))
    if MajorIncident.objects.filter(incident=incident).exists():
        raise rules.AlreadyMajor()
    now = clock.now()
    due = now + timedelta(minutes=interval)
    major = MajorIncident.objects.create(
        incident=incident, number=incident.number, reason=reason, declared_at=now,
        declared_by=actor, update_interval_minutes=interval, update_due_at=due,
        next_reminder_at=due)
    members = TeamMember.objects.bulk_create(
        [TeamMember(major_incident=major, user=commander, role=TeamRole.COMMANDER, added_at=now)]
        + [TeamMember(major_incident=major, user=user, role=role, added_at=now)
           for user, role in team])
    services = finding.affected_services(incident)
    plans = finding.plans_for(incident, services)
    major.plans.set(plans)
    ResponseStep.objects.bulk_create([
        ResponseStep(major_incident=major, plan=plan, position=index, text=step.text)
        for index, (plan, step) in enumerate(
            (plan, step) for plan in plans for step in plan.steps.order_by("position", "id"))])
    timeline.record(incident, actor=actor, source=source, kind="major_declared", note=reason,
                    changes={"major_incident": [None, str(Status.ACTIVE.label)],
                             "team": [None, _describe_team(members)],
                             "plans": [None, [plan.name for plan in plans]
                                       or _("no plan: analyse with the vendors")]})
    outbox.enqueue(incident, event="major_declared", actor=actor,
                   recipients=[*(member.user for member in members),
                               *broadcast.holding(rules.MANAGEMENT)],
                   context={"incident": incident, "major": major, "reason": reason,
                            "team": members, "plans": plans,
                            "services": services})
    return major


def locked(major: MajorIncident) -> MajorIncident:
    # The incident first, as declaring does: these actions write on its timeline.
    timeline.lock_subject(Incident(pk=major.incident_id))
    current = MajorIncident.objects.select_for_update(of=("self",)).select_related(
        "incident__requester", "incident__ci", "incident__customer").get(pk=major.pk)
    rules.check_active(current)
    return current


def team_of(major: MajorIncident) -> list[TeamMember]:
    return list(major.team.select_related("user").order_by("id"))


def commander_of(members: list[TeamMember]):
    return next((member.user for member in members if member.role == TeamRole.COMMANDER), None)


@transaction.atomic(durable=True)
def set_member(major: MajorIncident, *, actor, source: str, user, role: str) -> TeamMember:
    """Add someone to the emergency team or change their role. Naming a new
    commander hands command over: the old one stays on as a member."""
    major = locked(major)
    members = team_of(major)
    commander = commander_of(members)
    rules.check_command(actor, commander.pk if commander else None)
    if role not in TeamRole.values:
        raise Invalid(fields={"role": _("Choose one of: %(options)s.") % {
            "options": ", ".join(TeamRole.values)}})
    if not rules.may_serve(user):
        raise Invalid(fields={"user": _("%(user)s cannot be in the emergency team.") % {
            "user": user}})
    current = next((member for member in members if member.user_id == user.pk), None)
    if current is not None and current.role == role:
        raise Invalid(fields={"role": _("%(user)s already has this role.") % {"user": user}})
    if role == TeamRole.COMMANDER and commander is not None and commander.pk != user.pk:
        TeamMember.objects.filter(major_incident=major, role=TeamRole.COMMANDER).update(
            role=TeamRole.MEMBER)
    old_role = current.role if current else None
    if current is None:
        current = TeamMember.objects.create(major_incident=major, user=user, role=role,
                                            added_at=clock.now())
    else:
        current.role = role
        current.save(update_fields=["role"])
    timeline.record(major.incident, actor=actor, source=source, kind="major_team_changed",
                    changes={str(user): [str(TeamRole(old_role).label) if old_role else None,
                                         str(TeamRole(role).label)]})
    return current


@transaction.atomic(durable=True)
def remove_member(major: MajorIncident, *, actor, source: str, user) -> None:
    major = locked(major)
    members = team_of(major)
    commander = commander_of(members)
    rules.check_command(actor, commander.pk if commander else None)
    member = next((member for member in members if member.user_id == user.pk), None)
    if member is None:
        raise Invalid(fields={"user": _("%(user)s is not in the emergency team.") % {
            "user": user}})
    if member.role == TeamRole.COMMANDER:
        raise Invalid(fields={"user": _("Name another commander before removing this one.")})
    member.delete()
    timeline.record(major.incident, actor=actor, source=source, kind="major_team_changed",
                    changes={str(user): [str(member.get_role_display()), None]})


def _reschedule(major: MajorIncident, since) -> None:
    major.update_due_at = since + timedelta(minutes=major.update_interval_minutes)
    major.next_reminder_at = major.update_due_at


def _save(major: MajorIncident, fields: list[str]) -> None:
    major.version += 1
    major.save(update_fields=[*fields, "version"])


@transaction.atomic(durable=True)
def post_update(major: MajorIncident, *, actor, source: str, text: str) -> StatusUpdate:
    """A status update from the team, broadcast to the team, management and
    the requester, in the words of the plan's communication template if it
    has one. The next one is due a cadence from now."""
    errors = {}
    text = required_text(text, "text", 5000, errors)
    if errors:
        raise Invalid(fields=errors)
    major = locked(major)
    members = team_of(major)
    rules.check_work(actor, {member.user_id for member in members})
    now = clock.now()
    update = StatusUpdate.objects.create(major_incident=major, at=now, author=actor, text=text)
    major.last_update_at = now
    _reschedule(major, now)
    _save(major, ["last_update_at", "update_due_at", "next_reminder_at"])
    incident = major.incident
    timeline.record(incident, actor=actor, source=source, kind="major_update", note=text,
                    public=True)
    plan = major.plans.exclude(communication_template="").order_by("name").first()
    services = finding.affected_services(incident)
    message = broadcast.fill(plan.communication_template, broadcast.communication_values(
        major, update=text, services=services, commander=commander_of(members))) if plan else ""
    outbox.enqueue(incident, event="major_update", actor=actor,
                   recipients=broadcast.stakeholders([m.user for m in members], incident),
                   context={"incident": incident, "major": major, "update": text,
                            "message": message, "author": actor, "services": services})
    return update


@transaction.atomic(durable=True)
def mark_step(major: MajorIncident, *, actor, source: str, step_id: int,
              note: str = "") -> ResponseStep:
    """One step of the contingency plan is done (101.3): who, when, and a note."""
    errors = {}
    note = optional_text(note, "note", 5000, errors)
    if errors:
        raise Invalid(fields=errors)
    major = locked(major)
    rules.check_work(actor, {member.user_id for member in team_of(major)})
    step = ResponseStep.objects.select_for_update().filter(major_incident=major,
                                                           pk=step_id).first()
    if step is None:
        raise Invalid(fields={"step": _("This major incident has no such step.")})
    if step.done_at is not None:
        raise Invalid(fields={"step": _("This step is done already.")})
    step.done_at, step.done_by, step.note = clock.now(), actor, note
    step.save(update_fields=["done_at", "done_by", "note"])
    timeline.record(major.incident, actor=actor, source=source, kind="major_step_done",
                    note=note, changes={"plan_step": [None, step.text]})
    return step


@transaction.atomic(durable=True)
def set_cadence(major: MajorIncident, *, actor, source: str, minutes) -> MajorIncident:
    errors = {}
    minutes = _interval(minutes, errors)
    if errors:
        raise Invalid(fields=errors)
    major = locked(major)
    commander = commander_of(team_of(major))
    rules.check_command(actor, commander.pk if commander else None)
    old = major.update_interval_minutes
    if old == minutes:
        return major
    major.update_interval_minutes = minutes
    _reschedule(major, major.last_update_at or major.declared_at)
    _save(major, ["update_interval_minutes", "update_due_at", "next_reminder_at"])
    timeline.record(major.incident, actor=actor, source=source, kind="major_cadence_changed",
                    changes={"update_interval_minutes": [old, minutes]})
    return major


@transaction.atomic(durable=True)
def lift(major: MajorIncident, *, actor, source: str, business_recovered_at, cause: str = "",
         summary: str = "") -> MajorIncident:
    """Confirm the emergency is lifted (101.5) and do the aftermath (101.6)
    in the same transaction: the report is generated, stored and mailed to
    management, the requester and the team hear the outcome, and a problem
    with the handling details is raised and linked to the incident."""
    now = clock.now()
    errors = {}
    cause = optional_text(cause, "cause", 5000, errors)
    summary = optional_text(summary, "summary", 5000, errors)
    if business_recovered_at is None:
        errors["business_recovered_at"] = _("Give the time the business recovered.")
    recovered = within_past(business_recovered_at, "business_recovered_at", now, errors)
    if errors:
        raise Invalid(fields=errors)
    major = locked(major)
    commander = commander_of(team_of(major))
    rules.check_command(actor, commander.pk if commander else None)
    if recovered < major.incident.occurred_at:
        raise Invalid(fields={"business_recovered_at": _(
            "The business cannot recover before the incident occurred.")})
    major.status, major.lifted_at, major.lifted_by = Status.LIFTED, now, actor
    major.business_recovered_at, major.cause, major.summary = recovered, cause, summary
    major.update_due_at = major.next_reminder_at = None
    _save(major, ["status", "lifted_at", "lifted_by", "business_recovered_at", "cause", "summary",
                  "update_due_at", "next_reminder_at"])
    timeline.record(major.incident, actor=actor, source=source, kind="major_lifted",
                    note=summary, changes={"major_incident": [str(Status.ACTIVE.label),
                                                              str(Status.LIFTED.label)]})
    aftermath.conclude(major, actor=actor, source=source)
    return major
