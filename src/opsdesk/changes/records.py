"""Steps the change actions share: numbering, cleaning fields, locking with
the version check, saving with a version bump, linking an incident. None of
these opens a transaction: the actions compose them inside their own."""

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from opsdesk.core import clock, timeline
from opsdesk.core.counters import next_value
from opsdesk.core.errors import Invalid, VersionConflict
from opsdesk.incidents.validation import optional_text, required_text

from . import risk
from .choices import FINAL_STATES
from .models import Change, ChangeIncident
from .rules import ChangeClosed

TEXT_LIMITS = {
    "title": 200, "reason": 20000, "description": 20000, "implementation_plan": 20000,
    "rollback_plan": 20000, "test_plan": 20000, "implementation_notes": 20000,
    "review_notes": 20000,
}
RISK_FIELDS = ("risk_answers", "risk_impact", "risk_probability", "risk_score", "risk_level")


def number_for(when: datetime) -> str:
    day = timezone.localdate(when)
    sequence = next_value(f"change:{day:%Y%m%d}")
    return f"CHG-{day:%Y%m%d}-{sequence:04d}"


def clean_text(values: dict, errors: dict) -> dict:
    cleaned = {}
    for name, value in values.items():
        check = required_text if name == "title" else optional_text
        cleaned[name] = check(value, name, TEXT_LIMITS[name], errors)
    return cleaned


def clean_window(start, end, errors: dict, *, required: bool = False) -> tuple:
    if start is None and end is None and not required:
        return None, None
    for name, value in (("planned_start", start), ("planned_end", end)):
        if value is None:
            errors[name] = _("Give the window's start and end.")
        elif not isinstance(value, datetime) or value.tzinfo is None:
            errors[name] = _("Give a time zone with the time.")
    if "planned_start" not in errors and "planned_end" not in errors and end <= start:
        errors["planned_end"] = _("The window must end after it starts.")
    return start, end


def risk_fields(answers, errors: dict) -> dict:
    assessed = risk.assess(answers, errors)
    if assessed is None:
        return {}
    return {"risk_answers": dict(answers), "risk_impact": assessed.impact,
            "risk_probability": assessed.probability, "risk_score": assessed.score,
            "risk_level": assessed.level}


def locked(change: Change, expected_version: int | None) -> Change:
    current = Change.objects.select_for_update().get(pk=change.pk)
    if current.state in FINAL_STATES:
        raise ChangeClosed()
    if expected_version is not None and current.version != expected_version:
        raise VersionConflict()
    return current


def save(change: Change, fields: list[str]) -> None:
    change.updated_at = clock.now()
    change.version += 1
    change.save(update_fields=[*dict.fromkeys(fields), "version", "updated_at"])


def link(change: Change, incident, *, actor, source: str, relation: str) -> bool:
    """Link `incident` to `change` once per relation, on both timelines;
    False if it was already."""
    timeline.lock_subject(incident)
    _link, created = ChangeIncident.objects.get_or_create(
        change=change, incident=incident, relation=relation,
        defaults={"linked_by": actor, "linked_at": clock.now()})
    if created:
        timeline.record(change, actor=actor, source=source, kind="incident_linked",
                        changes={"incidents": [None, incident.number], "relation": [None,
                                                                                   relation]})
        timeline.record(incident, actor=actor, source=source, kind="change_linked",
                        changes={"change": [None, change.number], "relation": [None,
                                                                               relation]})
    return created


def require(change: Change, names: tuple, errors: dict) -> None:
    for name in names:
        if not getattr(change, name) and name not in errors:
            errors[name] = _("This field is required.")


def scope_required(change: Change, errors: dict) -> None:
    if not change.cis.exists() and not change.services.exists():
        errors["cis"] = _("Name at least one affected configuration item or service.")


def raise_if(errors: dict) -> None:
    if errors:
        raise Invalid(fields=errors)
