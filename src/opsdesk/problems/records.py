"""Steps the problem actions share: numbering, opening a record, locking
with the version check, saving with a version bump, linking an incident.
None of these opens a transaction: the actions (and the incident action
that raises a problem) compose them inside their own."""

from django.utils import timezone
from django.utils.translation import gettext as _

from opsdesk.core import clock, timeline
from opsdesk.core.counters import next_value
from opsdesk.core.errors import Invalid, VersionConflict
from opsdesk.incidents.choices import ClosureCode
from opsdesk.incidents.validation import choice, optional_text, required_text

from .choices import Category, Level, Source, State
from .models import Problem, ProblemIncident
from .rules import ProblemClosed

TEXT_LIMITS = {
    "title": 200, "description": 20000, "symptoms": 20000, "root_cause": 20000,
    "workaround": 20000, "solution": 20000, "preventive_actions": 20000,
    "change_reference": 100, "review_minutes": 20000, "user_representatives": 2000,
}


def number_for(when) -> str:
    day = timezone.localdate(when)
    sequence = next_value(f"problem:{day:%Y%m%d}")
    return f"PRB-{day:%Y%m%d}-{sequence:04d}"


def clean_fields(values: dict, errors: dict) -> dict:
    """The text and choice fields of a problem that `values` carries, cleaned."""
    cleaned = {}
    for name, value in values.items():
        if name == "title":
            cleaned[name] = required_text(value, name, TEXT_LIMITS[name], errors)
        elif name in TEXT_LIMITS:
            cleaned[name] = optional_text(value, name, TEXT_LIMITS[name], errors)
        elif name == "category":
            cleaned[name] = choice(value, Category, name, errors) if value else ""
        elif name == "level":
            cleaned[name] = choice(value, Level, name, errors)
        else:
            cleaned[name] = value
    return cleaned


def open_problem(*, actor, source: str, origin: str, fields: dict,
                 state: State = State.ACCEPTED, trend_key: str = "") -> Problem:
    """Create a problem from cleaned `fields`, with its first timeline event."""
    now = clock.now()
    if origin not in Source.values:
        raise Invalid(fields={"source": _("Choose one of: %(options)s.") % {
            "options": ", ".join(Source.values)}})
    problem = Problem.objects.create(
        number=number_for(now), source=origin, state=state, trend_key=trend_key,
        created_by=actor, created_at=now, updated_at=now,
        opened_at=None if state == State.PROPOSED else now, **fields,
    )
    timeline.record(problem, actor=actor, source=source, kind="logged",
                    changes={"state": [None, state], "source": [None, origin]})
    return problem


def locked(problem: Problem, expected_version: int | None) -> Problem:
    current = Problem.objects.select_for_update().get(pk=problem.pk)
    if current.state == State.CLOSED:
        raise ProblemClosed()
    if expected_version is not None and current.version != expected_version:
        raise VersionConflict()
    return current


def save(problem: Problem, fields: list[str]) -> None:
    problem.updated_at = clock.now()
    problem.version += 1
    problem.save(update_fields=[*fields, "version", "updated_at"])


def link(problem: Problem, incident, *, actor, source: str, reason: str) -> bool:
    """Link `incident` to `problem` once, on both timelines; False if it was already."""
    timeline.lock_subject(incident)
    _link, created = ProblemIncident.objects.get_or_create(
        problem=problem, incident=incident,
        defaults={"reason": reason, "linked_by": actor, "linked_at": clock.now()},
    )
    if created:
        timeline.record(problem, actor=actor, source=source, kind="incident_linked",
                        changes={"incidents": [None, incident.number]})
        timeline.record(incident, actor=actor, source=source, kind="problem_linked",
                        changes={"problem": [None, problem.number]})
    return created


def from_incident(incident) -> dict:
    """What a problem raised from an incident starts with."""
    return {
        "title": incident.title, "description": incident.description,
        "symptoms": incident.symptoms or incident.description, "ci": incident.ci,
        "service": incident.service,
        "level": PRIORITY_LEVELS[incident.priority],
        "workaround": incident.solution if incident.closure_code == ClosureCode.WORKAROUND
        else "",
    }


PRIORITY_LEVELS = {1: Level.HIGH, 2: Level.MEDIUM, 3: Level.MEDIUM, 4: Level.LOW}
