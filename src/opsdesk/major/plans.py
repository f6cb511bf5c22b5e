"""Changing contingency plans (应急预案): create, edit, record a drill. Each
runs in one durable transaction and writes the plan's timeline, so the plan's
maintenance is on record (SCM-01)."""

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from opsdesk.core import clock, timeline
from opsdesk.core.errors import Invalid, VersionConflict
from opsdesk.incidents.validation import choice, optional_text, required_text

from . import rules
from .choices import DrillResult
from .models import ContingencyPlan, PlanContact, PlanDrill, PlanStep

TEXT_FIELDS = {  # name: (limit, required)
    "name": (200, True),
    "trigger_conditions": (5000, True),
    "communication_template": (5000, False),
    "aftermath": (5000, False),
    "safeguards": (5000, False),
}


@dataclass
class PlanDraft:
    name: str = ""
    trigger_conditions: str = ""
    communication_template: str = ""
    aftermath: str = ""
    safeguards: str = ""
    cis: list = field(default_factory=list)
    services: list = field(default_factory=list)
    contacts: list[tuple[str, str, str]] = field(default_factory=list)  # name, role, phone
    steps: list[str] = field(default_factory=list)


def _clean(draft: PlanDraft, plan: ContingencyPlan | None) -> dict:
    errors = {}
    values = {name: (required_text if required else optional_text)(
        getattr(draft, name), name, limit, errors)
        for name, (limit, required) in TEXT_FIELDS.items()}
    taken = ContingencyPlan.objects.filter(name=values["name"])
    if plan is not None:
        taken = taken.exclude(pk=plan.pk)
    if "name" not in errors and taken.exists():
        errors["name"] = _("Another plan has this name.")
    if not draft.cis and not draft.services:
        errors["scope"] = _("Name the configuration items or services the plan covers.")
    steps = [text.strip() for text in draft.steps if text.strip()]
    if not steps:
        errors["steps"] = _("A plan needs at least one step.")
    elif any(len(text) > 500 for text in steps):
        errors["steps"] = _("At most %(n)d characters.") % {"n": 500}
    contacts = [tuple(part.strip() for part in contact) for contact in draft.contacts]
    for name, role, phone in contacts:
        if not name or len(name) > 100 or len(role) > 100 or len(phone) > 40:
            errors["contacts"] = _("Each contact needs a name (at most 100 characters), a role "
                                   "and a phone number (at most 40 characters).")
    if errors:
        raise Invalid(fields=errors)
    return {**values, "steps": steps, "contacts": contacts}


def _write_parts(plan: ContingencyPlan, draft: PlanDraft, clean: dict) -> None:
    plan.cis.set(draft.cis)
    plan.services.set(draft.services)
    plan.steps.all().delete()
    plan.contacts.all().delete()
    PlanStep.objects.bulk_create([PlanStep(plan=plan, position=index, text=text)
                                  for index, text in enumerate(clean["steps"])])
    PlanContact.objects.bulk_create([
        PlanContact(plan=plan, position=index, name=name, role=role, phone=phone)
        for index, (name, role, phone) in enumerate(clean["contacts"])])


def _snapshot(plan: ContingencyPlan) -> dict:
    return {
        **{name: getattr(plan, name) for name in TEXT_FIELDS},
        "cis": sorted(plan.cis.values_list("name", flat=True)),
        "services": sorted(plan.services.values_list("name", flat=True)),
        "steps": list(plan.steps.values_list("text", flat=True)),
        "contacts": [" ".join(filter(None, row)) for row in
                     plan.contacts.values_list("name", "role", "phone")],
    }


@transaction.atomic(durable=True)
def create_plan(draft: PlanDraft, *, actor, source: str) -> ContingencyPlan:
    rules.check_edit_plans(actor)
    clean = _clean(draft, None)
    now = clock.now()
    plan = ContingencyPlan.objects.create(
        created_at=now, updated_at=now, **{name: clean[name] for name in TEXT_FIELDS})
    _write_parts(plan, draft, clean)
    timeline.record(plan, actor=actor, source=source, kind="plan_created",
                    changes={"name": [None, plan.name]})
    return plan


@transaction.atomic(durable=True)
def update_plan(plan: ContingencyPlan, draft: PlanDraft, *, actor, source: str,
                expected_version: int | None) -> ContingencyPlan:
    rules.check_edit_plans(actor)
    plan = ContingencyPlan.objects.select_for_update().get(pk=plan.pk)
    if expected_version is not None and plan.version != expected_version:
        raise VersionConflict()
    clean = _clean(draft, plan)
    before = _snapshot(plan)
    for name in TEXT_FIELDS:
        setattr(plan, name, clean[name])
    _write_parts(plan, draft, clean)
    after = _snapshot(plan)
    diff = {name: [before[name], after[name]] for name in before if before[name] != after[name]}
    if diff:
        plan.version += 1
        plan.updated_at = clock.now()
        plan.save()
        timeline.record(plan, actor=actor, source=source, kind="plan_updated", changes=diff)
    return plan


@transaction.atomic(durable=True)
def record_drill(plan: ContingencyPlan, *, actor, source: str, held_on: date | None,
                 participants: str, result: str, findings: str = "") -> PlanDrill:
    """A drill (演练) of the plan: when, who took part, how it went, what it found."""
    rules.check_edit_plans(actor)
    errors = {}
    participants = required_text(participants, "participants", 2000, errors)
    findings = optional_text(findings, "findings", 5000, errors)
    result = choice(result, DrillResult, "result", errors)
    if held_on is None:
        errors["held_on"] = _("This field is required.")
    elif held_on > clock.today_local():
        errors["held_on"] = _("This time is in the future.")
    if errors:
        raise Invalid(fields=errors)
    plan = ContingencyPlan.objects.select_for_update().get(pk=plan.pk)
    drill = PlanDrill.objects.create(plan=plan, held_on=held_on, participants=participants,
                                     result=result, findings=findings, recorded_by=actor)
    timeline.record(plan, actor=actor, source=source, kind="drill_recorded", note=findings,
                    changes={"drill": [None, f"{held_on:%Y-%m-%d} {result.label}"]})
    return drill
