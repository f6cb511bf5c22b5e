"""Every change to a problem goes through a function of this module (PRB-03).

Each runs in one durable transaction: it locks the row, checks the rule
(rules.check) and the caller's version, writes with update_fields, and
appends a timeline event. Views, the API, the CLI and the worker call these.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from opsdesk.core import clock, outbox, timeline
from opsdesk.core.errors import Forbidden, Invalid
from opsdesk.incidents import rules as incident_rules
from opsdesk.incidents.actions._base import locked as locked_incident
from opsdesk.incidents.actions._base import save as save_incident
from opsdesk.incidents.actions._base import tell_requester
from opsdesk.incidents.choices import UNRESOLVED_STATUSES
from opsdesk.incidents.choices import Action as IncidentAction
from opsdesk.incidents.models import Incident
from opsdesk.incidents.validation import required_text
from opsdesk.knowledge import actions as knowledge_actions
from opsdesk.knowledge.choices import Origin

from . import records, rules
from .choices import Action, State
from .models import Problem, ProblemIncident
from .records import clean_fields, locked, save

# What each step must leave filled in, beyond what the caller sends.
REQUIRED = {
    Action.REGISTER: ("category", "level"),
    Action.PUBLISH_WORKAROUND: ("root_cause", "workaround"),
    Action.IDENTIFY_SOLUTION: ("root_cause", "solution"),
    Action.REQUEST_CHANGE: ("change_reference",),
    Action.REVIEW: ("review_minutes",),
}
# When a step is first taken, the moment is kept.
STAMPS = {
    Action.ACCEPT: "opened_at",
    Action.PUBLISH_WORKAROUND: "known_error_at",
    Action.IDENTIFY_SOLUTION: "resolved_at",
    Action.CLOSE: "closed_at",
}
EDITABLE = ("title", "description", "symptoms", "category", "level", "ci", "service",
            "root_cause", "workaround", "solution", "preventive_actions")


@transaction.atomic(durable=True)
def create_problem(*, actor, source: str, title: str, origin: str, description: str = "",
                   symptoms: str = "", category: str = "", level: str = "medium", ci=None,
                   service=None, incident=None) -> Problem:
    """Raise a problem (accepted at once); from an incident, linked to it."""
    if not rules.may_raise(actor):
        raise Forbidden(rules.WHO_MESSAGES[rules.Who.REPORTER])
    errors = {}
    fields = clean_fields({"title": title, "description": description, "symptoms": symptoms,
                           "category": category, "level": level}, errors)
    if errors:
        raise Invalid(fields=errors)
    problem = records.open_problem(actor=actor, source=source, origin=origin,
                                   fields={**fields, "ci": ci, "service": service})
    if incident is not None:
        incident = locked_incident(incident, None)
        records.link(problem, incident, actor=actor, source=source,
                     reason=ProblemIncident.Reason.RAISED)
    return problem


def _advance(problem: Problem, action: Action, *, actor, source: str, expected_version,
             fields: dict, note: str = "") -> Problem:
    """Check, fill in `fields`, require what the step needs, move on, record."""
    problem = locked(problem, expected_version)
    transition = rules.check(action, problem, actor)
    errors = {}
    cleaned = clean_fields(fields, errors)
    for name, value in cleaned.items():
        setattr(problem, name, value)
    for name in REQUIRED.get(action, ()):
        if not getattr(problem, name) and name not in errors:
            errors[name] = _("This field is required.")
    if errors:
        raise Invalid(fields=errors)
    old_state = problem.state
    problem.state = transition.target
    written = [*cleaned, "state"]
    stamp = STAMPS.get(action)
    if stamp and getattr(problem, stamp) is None:
        setattr(problem, stamp, clock.now())
        written.append(stamp)
    save(problem, written)
    changes = {"state": [old_state, problem.state]}
    changes.update({name: [None, str(getattr(problem, name))] for name in cleaned
                    if name in ("category", "level", "change_reference")})
    timeline.record(problem, actor=actor, source=source, kind=action.value, changes=changes,
                    note=note)
    return problem


def _step(action: Action, *field_names: str, note_field: str | None = None):
    """A public action for one step of the flow, taking `field_names` as keywords."""

    @transaction.atomic(durable=True)
    def step(problem: Problem, *, actor, source: str, expected_version: int | None,
             **values) -> Problem:
        unknown = set(values) - set(field_names)
        if unknown:
            raise TypeError(f"{action.value} takes no {', '.join(sorted(unknown))}")
        note = values.get(note_field, "") if note_field else ""
        return _advance(problem, action, actor=actor, source=source,
                        expected_version=expected_version,
                        fields={k: v for k, v in values.items() if k != note_field}, note=note)

    step.__name__ = step.__qualname__ = action.value.replace("-", "_")
    step.__doc__ = f"{action.label} (PRB-03)."
    return step


accept = _step(Action.ACCEPT, "note", note_field="note")
register = _step(Action.REGISTER, "category", "level")
investigate = _step(Action.INVESTIGATE, "note", note_field="note")
publish_workaround = _step(Action.PUBLISH_WORKAROUND, "root_cause", "workaround", "symptoms")
identify_solution = _step(Action.IDENTIFY_SOLUTION, "root_cause", "solution",
                          "preventive_actions")
request_change = _step(Action.REQUEST_CHANGE, "change_reference")
archive = _step(Action.ARCHIVE, "note", note_field="note")
close = _step(Action.CLOSE, "note", note_field="note")


@transaction.atomic(durable=True)
def dismiss(problem: Problem, *, actor, source: str, expected_version: int | None,
            reason: str) -> Problem:
    """The problem manager turns a trend proposal down, saying why; the same
    recurrence is never proposed again."""
    errors = {}
    reason = required_text(reason, "reason", 5000, errors)
    if errors:
        raise Invalid(fields=errors)
    problem = _advance(problem, Action.DISMISS, actor=actor, source=source,
                       expected_version=expected_version, fields={}, note=reason)
    problem.dismissal_reason = reason
    problem.save(update_fields=["dismissal_reason"])
    return problem


@transaction.atomic(durable=True)
def assign(problem: Problem, *, actor, source: str, expected_version: int | None, owner,
           team=None) -> Problem:
    """The problem manager names the owner (问题负责人) and the analysis group."""
    errors = {}
    if owner is None:
        errors["owner"] = _("Choose the problem owner.")
    elif owner.role not in rules.OWNER_ROLES or not owner.is_active:
        errors["owner"] = _("%(user)s cannot own a problem.") % {"user": owner}
    if errors:
        raise Invalid(fields=errors)
    problem = locked(problem, expected_version)
    rules.check(Action.ASSIGN, problem, actor)
    old = (problem.owner, problem.team)
    if old == (owner, team) and problem.state == State.ASSIGNED:
        raise Invalid(fields={"owner": _("The problem is already assigned there.")})
    problem.owner, problem.team, old_state = owner, team, problem.state
    problem.state = State.ASSIGNED
    save(problem, ["owner", "team", "state"])
    timeline.record(problem, actor=actor, source=source, kind="assigned", changes={
        "state": [old_state, State.ASSIGNED], "owner": [_label(old[0]), str(owner)],
        "team": [_label(old[1]), _label(team)]})
    outbox.enqueue(problem, event="problem_assigned", recipients=[owner], actor=actor,
                   context={"problem": problem})
    return problem


@transaction.atomic(durable=True)
def review(problem: Problem, *, actor, source: str, expected_version: int | None,
           review_minutes: str, user_representatives: str = "") -> Problem:
    """The review meeting's minutes (会议纪要); a major problem's review names
    the user representatives who took part."""
    current = locked(problem, expected_version)
    rules.check(Action.REVIEW, current, actor)
    if current.is_major and not (user_representatives or "").strip():
        raise Invalid(fields={"user_representatives": _(
            "A major problem is reviewed with user representatives: name them.")})
    return _advance(current, Action.REVIEW, actor=actor, source=source,
                    expected_version=None, fields={"review_minutes": review_minutes,
                                                   "user_representatives": user_representatives})


@transaction.atomic(durable=True)
def update_problem(problem: Problem, *, actor, source: str, expected_version: int | None,
                   changes: dict) -> Problem:
    problem = locked(problem, expected_version)
    rules.check(Action.UPDATE, problem, actor)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise Invalid(fields={name: _("This field cannot be edited.") for name in unknown})
    errors = {}
    cleaned = clean_fields(changes, errors)
    if errors:
        raise Invalid(fields=errors)
    diff = {}
    for name, value in cleaned.items():
        old = getattr(problem, name)
        if old != value:
            diff[name] = [_label(old), _label(value)]
            setattr(problem, name, value)
    if diff:
        save(problem, list(diff))
        timeline.record(problem, actor=actor, source=source, kind="updated", changes=diff)
    return problem


def _label(value):
    if value is None or isinstance(value, str):
        return value
    return str(value)


@transaction.atomic(durable=True)
def link_incident(problem: Problem, *, actor, source: str, incident) -> Problem:
    """Link one more incident to the problem (many incidents, one problem)."""
    problem = locked(problem, None)
    rules.check(Action.LINK_INCIDENT, problem, actor)
    incident = locked_incident(incident, None) if not incident.is_closed else incident
    if not records.link(problem, incident, actor=actor, source=source,
                        reason=ProblemIncident.Reason.LINKED):
        raise Invalid(fields={"incident": _("%(number)s is linked already.") % {
            "number": incident.number}})
    return problem


@transaction.atomic(durable=True)
def notify_linked_incidents(problem: Problem, *, actor, source: str) -> list:
    """The problem is solved: tell each linked incident that is still being
    worked (one timeline event each) and whoever holds it, with the solution."""
    problem = locked(problem, None)
    rules.check(Action.NOTIFY_INCIDENTS, problem, actor)
    open_links = (ProblemIncident.objects.filter(problem=problem,
                                                 incident__status__in=UNRESOLVED_STATUSES)
                  .select_related("incident__assignee", "incident__team__lead")
                  .order_by("incident_id"))
    told = []
    for link in open_links:
        incident = Incident.objects.select_for_update().get(pk=link.incident_id)
        timeline.record(incident, actor=actor, source=source, kind="problem_solved",
                        note=problem.solution, changes={"problem": [None, problem.number]})
        holder = link.incident.assignee or (link.incident.team.lead if link.incident.team
                                            else None)
        if holder is not None:
            outbox.enqueue(incident, event="problem_solved", recipients=[holder], actor=actor,
                           context={"incident": incident, "problem": problem})
        told.append(incident)
    timeline.record(problem, actor=actor, source=source, kind="incidents_notified",
                    changes={"incidents": [None, [i.number for i in told]]})
    return told


@transaction.atomic(durable=True)
def apply_workaround(problem: Problem, *, actor, source: str, incident, public: bool
                     ) -> Problem:
    """Use a known error's workaround on an incident (PRB-04): a comment on the
    incident (public: the requester sees it) and a link to the problem."""
    if not problem.is_known_error:
        raise Invalid(fields={"problem": _("%(number)s has no published workaround.") % {
            "number": problem.number}})
    incident = locked_incident(incident, None)
    incident_rules.check(IncidentAction.COMMENT, incident, actor)
    if actor.is_requester:
        raise Forbidden()
    note = _("Workaround from known error %(number)s: %(workaround)s") % {
        "number": problem.number, "workaround": problem.workaround}
    save_incident(incident, [], bump=False)
    timeline.record(incident, actor=actor, source=source, kind="workaround_applied",
                    note=note, public=bool(public), changes={"problem": [None, problem.number]})
    if public:
        tell_requester(incident, actor=actor, template="public_comment", comment=note,
                       author=actor)
    ProblemIncident.objects.get_or_create(
        problem=problem, incident=incident,
        defaults={"reason": ProblemIncident.Reason.WORKAROUND, "linked_by": actor,
                  "linked_at": clock.now()})
    timeline.record(problem, actor=actor, source=source, kind="workaround_applied",
                    changes={"incidents": [None, incident.number]})
    return problem


@transaction.atomic(durable=True)
def publish_as_article(problem: Problem, *, actor, source: str):
    """Write a known error up as a knowledge-base draft in one step (PRB-04,
    INC-07): its symptoms, root cause and workaround (or solution, once there
    is one), CI and service. One article per known error."""
    problem = locked(problem, None)
    if actor.is_requester:
        raise Forbidden()
    if not problem.is_known_error:
        raise Invalid(fields={"problem": _("%(number)s has no published workaround.") % {
            "number": problem.number}})
    article = knowledge_actions.create_from_text(
        actor, problem.title, problem.symptoms or problem.description,
        problem.solution or problem.workaround, cause=problem.root_cause, ci=problem.ci,
        service=problem.service, source=source, origin=Origin.KNOWN_ERROR,
        reference=problem.number)
    timeline.record(problem, actor=actor, source=source, kind="article_published",
                    changes={"article": [None, article.number]})
    return article
