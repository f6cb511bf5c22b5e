"""The major-incident console: the list, declaring and running a major
incident from the incident page, the report, and the contingency plans.
Views parse, load through queries, call the action, and redirect."""

from types import SimpleNamespace

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from opsdesk.core import timeline
from opsdesk.core.errors import Forbidden, NotFound, OpsDeskError
from opsdesk.incidents.forms import attach_error
from opsdesk.incidents.queries import get_incident_for
from opsdesk.incidents.views import console_view

from . import actions, plans, queries, report, rules
from .forms import (
    CadenceForm,
    DeclareForm,
    DrillForm,
    LiftForm,
    MemberForm,
    PlanForm,
    RemoveMemberForm,
    StepForm,
    UpdateForm,
)
from .models import ContingencyPlan

SOURCE = "web"


def _loaded(load, *args):
    try:
        return load(*args)
    except NotFound:
        raise Http404 from None
    except Forbidden:
        raise PermissionDenied from None


def _form_errors(form) -> str:
    return " ".join(" ".join(errors) for errors in form.errors.values())


def _error_message(error: OpsDeskError) -> str:
    details = " ".join(str(text) for text in error.fields.values())
    return f"{error.message} {details}".strip()


@require_GET
@console_view
def major_list(request):
    return render(request, "major/list.html", {
        "active": queries.active(request.user), "past": queries.past(request.user),
        "may_edit_plans": rules.may_edit_plans(request.user)})


@require_POST
@console_view
def declare(request, number):
    incident = _loaded(get_incident_for, request.user, number)
    form = DeclareForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(incident)
    data = form.cleaned_data
    try:
        actions.declare(incident, actor=request.user, source=SOURCE, reason=data["reason"],
                        commander=data["commander"], team=form.team(),
                        update_interval_minutes=data["update_interval_minutes"])
    except OpsDeskError as error:
        messages.error(request, _error_message(error))
    else:
        messages.success(request, _("Major incident declared; the emergency team is told."))
    return redirect(incident)


ACTS = {
    "update": (UpdateForm, lambda major, user, data: actions.post_update(
        major, actor=user, source=SOURCE, text=data["text"])),
    "step": (StepForm, lambda major, user, data: actions.mark_step(
        major, actor=user, source=SOURCE, step_id=data["step"], note=data["note"])),
    "member": (MemberForm, lambda major, user, data: actions.set_member(
        major, actor=user, source=SOURCE, user=data["user"], role=data["role"])),
    "remove-member": (RemoveMemberForm, lambda major, user, data: actions.remove_member(
        major, actor=user, source=SOURCE, user=data["user"])),
    "cadence": (CadenceForm, lambda major, user, data: actions.set_cadence(
        major, actor=user, source=SOURCE, minutes=data["minutes"])),
    "lift": (LiftForm, lambda major, user, data: actions.lift(
        major, actor=user, source=SOURCE, business_recovered_at=data["business_recovered_at"],
        cause=data["cause"], summary=data["summary"])),
}


@require_POST
@console_view
def act(request, number, action):
    if action not in ACTS:
        raise Http404(action)
    major = _loaded(queries.get_major_for, request.user, number)
    form_class, perform = ACTS[action]
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(major)
    try:
        perform(major, request.user, form.cleaned_data)
    except OpsDeskError as error:
        messages.error(request, _error_message(error))
        return redirect(major)
    if action == "lift":
        messages.success(request, _("Emergency lifted. The report is stored and mailed to "
                                    "management; a problem was raised."))
        return redirect("major:report", number=major.number)
    messages.success(request, _("Done."))
    return redirect(major)


@require_GET
@console_view
def report_view(request, number):
    major = _loaded(queries.get_major_for, request.user, number)
    stored = getattr(major, "report", None)
    if stored is None:
        raise Http404(_("There is no report until the emergency is lifted."))
    content = stored.content
    return render(request, "major/report.html", {
        "major": major, "report": content, "generated_at": stored.generated_at,
        "recovery": report.duration(content["recovery_minutes"]),
        "times": {name: report.when(content[name]) for name in (
            "occurred_at", "declared_at", "business_recovered_at", "lifted_at")},
        "steps": [{**step, "done_at": report.when(step["done_at"])} for step in content["steps"]],
        "updates": [{**update, "at": report.when(update["at"])} for update in content["updates"]],
        "events": [SimpleNamespace(**{**event, "at": report.when(event["at"])})
                   for event in content["timeline"]],
    })


# Contingency plans -----------------------------------------------------------


@require_GET
@console_view
def plan_list(request):
    return render(request, "major/plans.html", {
        "plans": ContingencyPlan.objects.prefetch_related("cis", "services").order_by("name"),
        "may_edit": rules.may_edit_plans(request.user)})


@require_GET
@console_view
def plan_detail(request, pk):
    plan = _loaded(queries.get_plan_for, request.user, pk)
    return render(request, "major/plan.html", {
        "plan": plan, "may_edit": rules.may_edit_plans(request.user),
        "drill_form": DrillForm(), "events": list(timeline.events_of(plan))})


def _plan_form(request, plan=None):
    if not rules.may_edit_plans(request.user):
        raise PermissionDenied
    if request.method != "POST":
        form = PlanForm.for_plan(plan) if plan else PlanForm()
        return render(request, "major/plan_form.html", {"form": form, "plan": plan})
    form = PlanForm(request.POST)
    if form.is_valid():
        try:
            if plan is None:
                plan = plans.create_plan(form.draft(), actor=request.user, source=SOURCE)
            else:
                plan = plans.update_plan(plan, form.draft(), actor=request.user, source=SOURCE,
                                         expected_version=form.cleaned_data["version"])
        except OpsDeskError as error:
            attach_error(form, error)
        else:
            messages.success(request, _("Contingency plan saved."))
            return redirect(plan)
    return render(request, "major/plan_form.html", {"form": form, "plan": plan}, status=422)


@console_view
def plan_new(request):
    return _plan_form(request)


@console_view
def plan_edit(request, pk):
    return _plan_form(request, _loaded(queries.get_plan_for, request.user, pk))


@require_POST
@console_view
def plan_drill(request, pk):
    plan = _loaded(queries.get_plan_for, request.user, pk)
    form = DrillForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(plan)
    try:
        plans.record_drill(plan, actor=request.user, source=SOURCE, **form.cleaned_data)
    except OpsDeskError as error:
        messages.error(request, _error_message(error))
    else:
        messages.success(request, _("Drill recorded."))
    return redirect(plan)
