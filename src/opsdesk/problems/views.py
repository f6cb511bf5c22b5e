"""The problem console: queues, the problem page with its state actions, new
problem (also raised from an incident) and the known-error search."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from opsdesk.core import timeline
from opsdesk.core.errors import Forbidden, NotFound, OpsDeskError
from opsdesk.core.models import ConfigurationItem
from opsdesk.incidents.forms import attach_error
from opsdesk.incidents.queries import get_incident_for
from opsdesk.incidents.views import console_view

from . import actions, queries, rules, steps
from .choices import Action
from .forms import NewProblemForm, step_form
from .templatetags.problem_console import EVENT_DESCRIPTIONS

SOURCE = "web"
QUEUE_LABELS = {
    "mine": gettext_lazy("Mine"),
    "open": gettext_lazy("All open"),
    "proposed": gettext_lazy("Proposed by trend analysis"),
    "known_errors": gettext_lazy("Known errors"),
    "all": gettext_lazy("All"),
}
PAGE = 100


def _load(request, number: str):
    try:
        return queries.get_problem_for(request.user, number)
    except NotFound:
        raise Http404(number) from None
    except Forbidden:
        raise PermissionDenied from None


def queue_name(request) -> str:
    """The tab asked for, shared by the queue page and its export."""
    name = request.GET.get("queue") or "open"
    if name not in QUEUE_LABELS:
        raise Http404(name)
    return name


@require_GET
@console_view
def queue_view(request):
    name = queue_name(request)
    tabs = [{"name": key, "label": label, "current": key == name,
             "url": f"{reverse('problems:queue')}?{urlencode({'queue': key})}"}
            for key, label in QUEUE_LABELS.items()]
    problems = queries.queue(request.user, name).order_by("-id")[:PAGE]
    return render(request, "problems/queue.html", {
        "tabs": tabs, "queue_label": QUEUE_LABELS[name], "problems": problems})


@console_view
def new_problem(request):
    initial = {}
    incident = None
    number = request.POST.get("incident") or request.GET.get("incident")
    if number:
        try:
            incident = get_incident_for(request.user, number)
        except OpsDeskError:
            raise Http404(number) from None
        initial = {"title": incident.title, "symptoms": incident.symptoms or incident.description,
                   "ci": incident.ci_id, "incident": incident.number,
                   "origin": "unknown_cause"}
    form = NewProblemForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            problem = actions.create_problem(
                actor=request.user, source=SOURCE, title=data["title"], origin=data["origin"],
                description=data["description"], symptoms=data["symptoms"],
                category=data["category"], level=data["level"], ci=data["ci"],
                service=data["ci"].service if data["ci"] else None, incident=incident)
        except OpsDeskError as error:
            attach_error(form, error)
            status = error.status
        else:
            messages.success(request, _("Problem %(number)s raised.") % {
                "number": problem.number})
            return redirect(problem)
    elif form.is_bound:
        status = 422
    return render(request, "problems/new.html", {"form": form, "incident": incident},
                  status=status)


@require_GET
@console_view
def known_error_search(request):
    text = request.GET.get("q", "").strip()[:500]
    ci = ConfigurationItem.objects.filter(name=request.GET.get("ci", "")).first()
    found = queries.search_known_errors(request.user, text=text, ci=ci) if (text or ci) \
        else list(queries.known_errors(queries.visible_problems(request.user))
                  .select_related("ci").order_by("-id")[:PAGE])
    return render(request, "problems/known_errors.html", {
        "problems": found, "q": text, "ci": ci})


def _step_forms(problem, user) -> list:
    allowed = rules.allowed_actions(problem, user)
    return [step_form(action, steps.STEPS[action][1], problem)
            for action in allowed if action in steps.STEPS]


@require_GET
@console_view
def detail(request, number):
    problem = _load(request, number)
    allowed = rules.allowed_actions(problem, request.user)
    return render(request, "problems/detail.html", {
        "problem": problem,
        "step_forms": _step_forms(problem, request.user),
        "may_link": Action.LINK_INCIDENT in allowed,
        "may_notify": Action.NOTIFY_INCIDENTS in allowed,
        "links": problem.links.select_related("incident").order_by("id"),
        "events": timeline.described(timeline.events_of(problem), EVENT_DESCRIPTIONS, Action),
    })


@require_POST
@console_view
def act(request, number, action):
    problem = _load(request, number)
    try:
        written = _run(request, problem, action)
    except OpsDeskError as error:
        details = " ".join(str(text) for text in error.fields.values())
        messages.error(request, f"{error.message} {details}".strip())
        return redirect(problem)
    messages.success(request, _("Done."))
    if written is not None:  # the draft article, to be edited and reviewed
        return redirect(written)
    if action == "apply-workaround":
        return redirect(get_incident_for(request.user, request.POST.get("incident", "")))
    return redirect(problem)


def _incident(request):
    try:
        return get_incident_for(request.user, request.POST.get("incident", "").strip().upper())
    except OpsDeskError as error:
        raise type(error)(fields={"incident": error.message}) from None


def _run(request, problem, action: str):
    """Perform `action`; return the article it wrote, if it wrote one."""
    user = request.user
    if action == "publish-article":
        return actions.publish_as_article(problem, actor=user, source=SOURCE)
    if action == Action.LINK_INCIDENT:
        actions.link_incident(problem, actor=user, source=SOURCE, incident=_incident(request))
    elif action == Action.NOTIFY_INCIDENTS:
        actions.notify_linked_incidents(problem, actor=user, source=SOURCE)
    elif action == "apply-workaround":
        actions.apply_workaround(problem, actor=user, source=SOURCE,
                                 incident=_incident(request),
                                 public=request.POST.get("public") == "on")
    else:
        try:
            step = Action(action)
            names = steps.STEPS[step][1]
        except (ValueError, KeyError):
            raise Http404(action) from None
        form = step_form(step, names, problem, request.POST)
        if not form.is_valid():
            raise OpsDeskError(fields={k: " ".join(v) for k, v in form.errors.items()})
        values = dict(form.cleaned_data)
        for name in ("owner", "team"):
            if values.get(name) is not None:
                values[name] = request.POST.get(name)
        steps.perform(problem, step, actor=user, source=SOURCE,
                      expected_version=values.pop("version"), values=values)
