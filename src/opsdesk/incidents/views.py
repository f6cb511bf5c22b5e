"""The agent console: queues, the phone-logging form, the incident page with
its action forms, and search. Views stay thin: parse, load through queries
(the access gate), call the action, render."""

import functools
import re
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from opsdesk.core import timeline
from opsdesk.core.errors import Forbidden, Invalid, NotFound, OpsDeskError
from opsdesk.core.models import Team
from opsdesk.sla.choices import Impact, Urgency
from opsdesk.sla.priority import priority_for
from opsdesk.sla.queries import priority_matrix

from . import actions, queries, rules, stints
from .attachments import attachment_response
from .choices import Action, Status
from .forms import (
    ACTION_FORMS,
    SOURCE,
    NewIncidentForm,
    QueueFilterForm,
    attach_error,
    run_action,
)
from .models import Incident

QUEUE_LABELS = {
    "mine": gettext_lazy("Mine"),
    "team": gettext_lazy("My team"),
    "unassigned": gettext_lazy("Unassigned"),
    "open": gettext_lazy("All open"),
    "closed": gettext_lazy("Recently closed"),
}
PAGE_SIZE = 50
# Tab counts stop here: counting a million open rows on every page view would
# cost more than the page itself, and "1000+" tells the agent enough.
COUNT_CAP = 1000
NUMBER = re.compile(r"INC-\d{8}-\d{4,}")
# The order in which an incident's action forms are offered.
ACTION_ORDER = (
    Action.ACCEPT, Action.ARRIVE, Action.ASSIGN, Action.PEND, Action.RESUME, Action.RESOLVE,
    Action.CONFIRM, Action.REJECT, Action.CLOSE, Action.INTERVENE, Action.OVERRIDE_PRIORITY,
    Action.LINK_DUPLICATE, Action.UPDATE,
)


def console_view(view):
    """Signed-in staff only; requesters get a clear page instead of the console."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_requester:
            return render(request, "core/staff_only.html", status=403)
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def _load(request, number: str) -> Incident:
    try:
        return queries.get_incident_for(request.user, number)
    except NotFound:
        raise Http404(number) from None
    except Forbidden:
        raise PermissionDenied from None


def _capped_count(incidents) -> str:
    count = incidents.order_by()[: COUNT_CAP + 1].count()
    return f"{COUNT_CAP}+" if count > COUNT_CAP else str(count)


def _queue_tabs(request, current: str) -> list[dict]:
    tabs = []
    for name, label in QUEUE_LABELS.items():
        if name == "team" and request.user.team_id is None:
            continue
        tabs.append({
            "name": name, "label": label, "current": name == current,
            "count": _capped_count(queries.queue(request.user, name)),
            "url": f"{reverse('incidents:queue')}?{urlencode({'queue': name})}",
        })
    return tabs


def queue_selection(request):
    """(queue name, filter form, its incidents or None when the filters are
    wrong): what the queue page lists and its export downloads."""
    name = request.GET.get("queue") or ("mine" if request.user.team_id is None else "team")
    if name not in QUEUE_LABELS:
        raise Http404(name)
    form = QueueFilterForm(request.GET, statuses=Status.choices,
                           teams=list(Team.objects.values_list("name", flat=True)))
    if not form.is_valid():
        return name, form, None
    wanted = form.cleaned_data
    return name, form, queries.filter_incidents(
        queries.queue(request.user, name),
        status=[wanted["status"]] if wanted["status"] else None,
        priority=[wanted["priority"]] if wanted["priority"] else None,
        team=wanted["team"] or None,
        q=wanted["q"] or None,
    )


@require_GET
@console_view
def queue_view(request):
    name, form, incidents = queue_selection(request)
    page, next_url = None, None
    if incidents is not None:
        wanted = form.cleaned_data
        try:
            page = queries.page_of(incidents, sort=wanted["sort"] or "newest",
                                   cursor=request.GET.get("cursor") or None, limit=PAGE_SIZE,
                                   shape=queries.queue_rows)
        except Invalid as error:
            form.add_error(None, " ".join(map(str, error.fields.values())) or error.message)
    if page is not None and page.next_cursor:
        params = request.GET.copy()
        params["cursor"] = page.next_cursor
        next_url = f"?{params.urlencode()}"
    first_url = None
    if request.GET.get("cursor"):
        params = request.GET.copy()
        del params["cursor"]
        first_url = f"?{params.urlencode()}"
    return render(request, "incidents/queue.html", {
        "queue": name, "queue_label": QUEUE_LABELS[name], "tabs": _queue_tabs(request, name),
        "form": form, "page": page, "next_url": next_url, "first_url": first_url,
    })


@require_GET
@console_view
def search(request):
    """An exact incident number opens it (closed ones too); anything else
    searches the open queue."""
    text = request.GET.get("q", "").strip()
    if NUMBER.fullmatch(text.upper()):
        try:
            return redirect(queries.get_incident_for(request.user, text.upper()))
        except OpsDeskError as error:
            messages.warning(request, error.message)
    return redirect(f"{reverse('incidents:queue')}?{urlencode({'queue': 'open', 'q': text})}")


def _matrix_rows() -> list[tuple[str, list[int]]]:
    matrix = priority_matrix()
    return [(urgency.label, [matrix.get((impact, urgency)) for impact in Impact])
            for urgency in Urgency]


def _candidates(user, form) -> list:
    """Duplicate suggestions (INC-04) for what has been typed so far."""
    form.is_valid()
    typed = form.cleaned_data
    return queries.duplicate_candidates(
        user, title=typed.get("title", ""), customer=typed.get("customer"),
        ci=typed.get("ci"), system_type=typed.get("system_type", ""),
    )


@console_view
def new_incident(request):
    form = NewIncidentForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_bound and form.is_valid():
        try:
            incident = form.log(request.user)
        except OpsDeskError as error:
            attach_error(form, error)
            status = error.status
        else:
            messages.success(request, _("Incident %(number)s logged.") % {
                "number": incident.number})
            _link_master(request, incident, form.cleaned_data["duplicate_of"])
            return redirect(incident)
    elif form.is_bound:
        status = Invalid.status
    return render(request, "incidents/new.html", {
        "form": form, "matrix_rows": _matrix_rows(), "impacts": Impact.choices,
        "candidates": _candidates(request.user, form) if form.is_bound else [],
        "chosen": form.data.get("duplicate_of", ""),
        "priority": _priority_preview(form.data.get("impact"), form.data.get("urgency")),
    }, status=status)


def _link_master(request, incident, master_number: str) -> None:
    """The agent said the new incident is the same as an open one."""
    if not master_number:
        return
    try:
        master = queries.get_incident_for(request.user, master_number)
        actions.link_duplicate(incident, actor=request.user, source=SOURCE,
                               expected_version=incident.version, master=master)
    except OpsDeskError as error:
        messages.warning(request, _("It could not be linked as a duplicate: %(reason)s") % {
            "reason": error.fields.get("master", error.message)})
    else:
        messages.info(request, _("Linked as a duplicate of %(number)s.") % {
            "number": master.number})


@require_GET
@console_view
def duplicate_suggestions(request):
    return render(request, "incidents/_duplicates.html", {
        "candidates": _candidates(request.user, NewIncidentForm(request.GET)),
        "chosen": request.GET.get("duplicate_of", ""),
    })


def _priority_preview(impact, urgency) -> int | None:
    if impact not in Impact.values or urgency not in Urgency.values:
        return None
    return priority_for(priority_matrix(), impact, urgency)


@require_GET
@console_view
def priority_preview(request):
    return render(request, "incidents/_priority.html", {
        "priority": _priority_preview(request.GET.get("impact"), request.GET.get("urgency")),
    })


def _render_detail(request, incident: Incident, failed=None, status: int = 200,
                   attachment_error=None):
    allowed = set(rules.allowed_actions(incident, request.user))
    if incident.assignee_id == request.user.pk:
        allowed.discard(Action.INTERVENE)  # the manager holds it already
    if Action.ARRIVE in allowed and not _may_record_arrival(request.user, incident):
        allowed.discard(Action.ARRIVE)
    forms = {action: ACTION_FORMS[action](incident=incident, user=request.user)
             for action in allowed}
    stray_error = None
    if failed is not None:
        # Typed values stay; the version becomes the one now shown, so the agent
        # can look at the current record and submit again.
        failed.data = failed.data.copy()
        failed.data["version"] = str(incident.version)
        if failed.action in allowed:
            forms[failed.action] = failed
        else:
            stray_error = failed.non_field_errors()
    return render(request, "incidents/detail.html", {
        "incident": incident,
        "action_forms": [(action, forms[action], failed is not None and action == failed.action)
                         for action in ACTION_ORDER if action in forms],
        "comment_form": forms.get(Action.COMMENT),
        "stray_error": stray_error,
        "events": list(timeline.events_of(incident)),
        "duplicates": list(incident.duplicates.order_by("id")),
        "copy": Incident.objects.filter(copied_from=incident).first(),
        "attachments": list(queries.attachments_for(request.user, incident)),
        "can_attach": Action.COMMENT in allowed,
        "attachment_error": attachment_error,
    }, status=status)


def _may_record_arrival(user, incident: Incident) -> bool:
    """The arrival form is for an on-site dispatch still waiting for one."""
    stint = stints.awaiting_arrival(incident)
    return stint is not None and rules.may_record_arrival(user, stint.team)


@require_GET
@console_view
def detail(request, number):
    return _render_detail(request, _load(request, number))


@require_POST
@console_view
def act(request, number, action):
    incident = _load(request, number)
    try:
        action = Action(action)
    except ValueError:
        raise Http404(action) from None
    form = ACTION_FORMS[action](request.POST, incident=incident, user=request.user)
    result, failed = run_action(form)
    if failed:
        return _render_detail(request, _load(request, number), form, failed)
    if action == Action.REJECT:
        messages.success(request, _(
            "Rejection recorded: the incident is closed as unsuccessful and "
            "%(number)s was created and assigned back."
        ) % {"number": result[1].number})
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": action.label})
    return redirect(incident)


@require_POST
@console_view
def attach(request, number):
    incident = _load(request, number)
    try:
        actions.add_attachment(incident, actor=request.user, source=SOURCE,
                               upload=request.FILES.get("file"),
                               public=request.POST.get("public") == "on")
    except OpsDeskError as error:
        message = error.fields.get("file", error.message)
        return _render_detail(request, _load(request, number), status=error.status,
                              attachment_error=message)
    messages.success(request, _("File attached."))
    return redirect(incident)


@require_GET
@console_view
def download(request, number, attachment_id):
    try:
        attachment = queries.get_attachment_for(request.user, number, attachment_id)
    except NotFound:
        raise Http404(number) from None
    except Forbidden:
        raise PermissionDenied from None
    return attachment_response(attachment)
