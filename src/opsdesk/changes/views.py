"""The change console: queues, the change page with its actions and CAB
votes, new RFC (blank, from a standard template or for a problem), the
emergency change logged from an incident, the calendar and blackout windows."""

from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from opsdesk.cmdb import impact
from opsdesk.core import clock, timeline
from opsdesk.core.errors import Forbidden, NotFound, OpsDeskError
from opsdesk.incidents.forms import attach_error
from opsdesk.incidents.queries import get_incident_for
from opsdesk.incidents.views import console_view
from opsdesk.problems.queries import get_problem_for

from . import actions, conflicts, queries, rules, steps
from .choices import Action
from .forms import BlackoutForm, EmergencyForm, NewChangeForm, risk_answers, step_form, step_values
from .models import BlackoutWindow, StandardChange
from .templatetags.change_console import EVENT_DESCRIPTIONS

SOURCE = "web"
QUEUE_LABELS = {
    "mine": gettext_lazy("Mine"),
    "my_votes": gettext_lazy("Awaiting my vote"),
    "to_assess": gettext_lazy("To assess"),
    "scheduled": gettext_lazy("Approved and scheduled"),
    "unrecorded": gettext_lazy("Unrecorded emergency changes"),
    "open": gettext_lazy("All open"),
    "all": gettext_lazy("All"),
}
PAGE = 100


def _load(request, number: str):
    try:
        return queries.get_change_for(request.user, number)
    except NotFound:
        raise Http404(number) from None
    except Forbidden:
        raise PermissionDenied from None


def _or_404(load, user, number):
    try:
        return load(user, number)
    except OpsDeskError:
        raise Http404(number) from None


@require_GET
@console_view
def queue_view(request):
    name = request.GET.get("queue") or ("to_assess" if request.user.role in
                                         rules.CHANGE_MANAGERS else "mine")
    if name not in QUEUE_LABELS:
        raise Http404(name)
    tabs = [{"name": key, "label": label, "current": key == name,
             "count": queries.queue(request.user, key).count() if key in (
                 "my_votes", "to_assess", "unrecorded") else None,
             "url": f"{reverse('changes:queue')}?{urlencode({'queue': key})}"}
            for key, label in QUEUE_LABELS.items()]
    changes = queries.queue(request.user, name).order_by("-id")[:PAGE]
    return render(request, "changes/queue.html", {
        "tabs": tabs, "queue_label": QUEUE_LABELS[name], "changes": changes,
        "templates": StandardChange.objects.filter(active=True)})


def _new_initial(request) -> dict:
    template_id = request.GET.get("template")
    if template_id:
        template = get_object_or_404(StandardChange, pk=template_id, active=True)
        return {"kind": "standard", "template": template.pk, "title": template.name,
                "description": template.description,
                "implementation_plan": template.implementation_plan,
                "rollback_plan": template.rollback_plan, "test_plan": template.test_plan,
                "implementer_team": template.implementer_team_id}
    number = request.GET.get("problem")
    if number:
        problem = _or_404(get_problem_for, request.user, number)
        return {"problem": problem.number, "title": problem.title,
                "reason": problem.root_cause, "description": problem.solution,
                "cis": [problem.ci_id] if problem.ci_id else [],
                "services": [problem.service_id] if problem.service_id else []}
    return {}


@console_view
def new_change(request):
    form = NewChangeForm(request.POST if request.method == "POST" else None,
                         initial=_new_initial(request))
    status = 200
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            problem = (get_problem_for(request.user, data["problem"]) if data["problem"]
                       else None)
            change = actions.create_change(
                actor=request.user, source=SOURCE, problem=problem,
                and_submit="submit" in request.POST, risk_answers=risk_answers(data), **{
                    name: data[name] for name in (
                        "kind", "template", "title", "reason", "description", "cis",
                        "services", "customer", "implementation_plan", "rollback_plan",
                        "test_plan", "planned_start", "planned_end", "implementer_team",
                        "owner")})
        except OpsDeskError as error:
            attach_error(form, error)
            status = error.status
        else:
            messages.success(request, _("Change %(number)s saved.") % {
                "number": change.number})
            return redirect(change)
    elif form.is_bound:
        status = 422
    return render(request, "changes/new.html", {"form": form}, status=status)


@console_view
def new_emergency(request):
    number = request.POST.get("incident") or request.GET.get("incident") or ""
    incident = _or_404(get_incident_for, request.user, number)
    form = EmergencyForm(request.POST if request.method == "POST" else None, initial={
        "incident": incident.number, "cis": [incident.ci_id] if incident.ci_id else []})
    status = 200
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            change = actions.log_emergency_change(
                actor=request.user, source=SOURCE, incident=incident, title=data["title"],
                description=data["description"], cis=data["cis"],
                planned_end=data["planned_end"])
        except OpsDeskError as error:
            attach_error(form, error)
            status = error.status
        else:
            messages.success(request, _("Emergency change %(number)s logged; record it by "
                                        "%(due)s.") % {
                "number": change.number,
                "due": timezone.localtime(change.record_due_at).strftime("%Y-%m-%d %H:%M")})
            return redirect(change)
    elif form.is_bound:
        status = 422
    return render(request, "changes/emergency.html", {"form": form, "incident": incident},
                  status=status)


@require_GET
@console_view
def detail(request, number):
    change = _load(request, number)
    allowed = rules.allowed_actions(change, request.user)
    cis = list(change.cis.order_by("name"))
    return render(request, "changes/detail.html", {
        "change": change,
        "step_forms": [step_form(action, steps.STEPS[action][1], change)
                       for action in allowed if action in steps.STEPS],
        "cis": cis,
        "impacted": sorted({service for ci in cis for service in impact.affected_services(ci)},
                           key=lambda service: service.name),
        "services": change.services.order_by("name"),
        "votes": change.approvals.select_related("approver").order_by("id"),
        "conflicts": conflicts.conflicts_for(change),
        "links": change.incident_links.select_related("incident").order_by("id"),
        "events": timeline.described(timeline.events_of(change), EVENT_DESCRIPTIONS, Action),
    })


@require_POST
@console_view
def act(request, number, action):
    change = _load(request, number)
    try:
        step = Action(action)
        names = steps.STEPS[step][1]
    except (ValueError, KeyError):
        raise Http404(action) from None
    form = step_form(step, names, change, request.POST)
    try:
        if not form.is_valid():
            raise OpsDeskError(fields={k: " ".join(v) for k, v in form.errors.items()})
        values = step_values(form, request.POST)
        result = steps.perform(change, step, actor=request.user, source=SOURCE,
                               expected_version=values.pop("version"), values=values)
    except OpsDeskError as error:
        details = " ".join(str(text) for text in error.fields.values())
        messages.error(request, f"{error.message} {details}".strip())
        return redirect(change)
    messages.success(request, _("Done."))
    if step == Action.RAISE_INCIDENT:
        return redirect(result)
    return redirect(change)


def _day(value: str | None) -> date:
    try:
        return date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        raise Http404(value) from None


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@require_GET
@console_view
def calendar(request):
    """The change calendar by week (from Monday) or day: each day's changes
    and blackout windows, with the conflicting changes marked."""
    view = request.GET.get("view", "week")
    if view not in ("week", "day"):
        raise Http404(view)
    day = _day(request.GET.get("date"))
    first = day - timedelta(days=day.weekday()) if view == "week" else day
    span = 7 if view == "week" else 1
    start, end = _midnight(first), _midnight(first + timedelta(days=span))
    changes = list(conflicts.changes_between(start, end))
    clashing = {change.pk for change in changes if conflicts.conflicts_for(change)}
    blackouts = list(conflicts.blackouts_between(start, end))
    days = []
    for offset in range(span):
        current = first + timedelta(days=offset)
        lo, hi = _midnight(current), _midnight(current + timedelta(days=1))
        days.append({
            "date": current,
            "changes": [{"change": c, "conflict": c.pk in clashing} for c in changes
                        if c.planned_start < hi and c.planned_end > lo],
            "blackouts": [b for b in blackouts if b.start < hi and b.end > lo]})
    step = timedelta(days=span)
    return render(request, "changes/calendar.html", {
        "view": view, "days": days, "first": first,
        "previous": (first - step).isoformat(), "next": (first + step).isoformat(),
        "today": timezone.localdate().isoformat()})


@console_view
def blackouts(request):
    may_edit = request.user.role in rules.CHANGE_MANAGERS
    form = BlackoutForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_bound:
        if not may_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                actions.create_blackout(actor=request.user, source=SOURCE, **form.cleaned_data)
            except OpsDeskError as error:
                attach_error(form, error)
                status = error.status
            else:
                messages.success(request, _("Blackout window saved."))
                return redirect("changes:blackouts")
        else:
            status = 422
    return render(request, "changes/blackouts.html", {
        "form": form, "may_edit": may_edit,
        "blackouts": BlackoutWindow.objects.filter(end__gt=clock.now() - timedelta(days=30))
        .prefetch_related("services", "cis").order_by("start", "id")}, status=status)


@require_POST
@console_view
def delete_blackout(request, pk):
    blackout = get_object_or_404(BlackoutWindow, pk=pk)
    try:
        actions.delete_blackout(blackout, actor=request.user, source=SOURCE)
    except Forbidden:
        raise PermissionDenied from None
    messages.success(request, _("Blackout window removed."))
    return redirect("changes:blackouts")
