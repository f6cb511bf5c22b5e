"""The self-service portal: a requester's tickets, submission with
suggestions, the ticket page (public timeline, comment, confirm or reject the
resolution), the satisfaction survey, and sign-in by e-mailed link.

Another requester's ticket is "not found", never "forbidden": the portal does
not confirm that a number exists."""

import functools

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opsdesk.core import timeline
from opsdesk.core.errors import Forbidden, Invalid, NotFound, OpsDeskError
from opsdesk.incidents import actions, queries, rules
from opsdesk.incidents.attachments import attachment_response
from opsdesk.incidents.choices import UNRESOLVED_STATUSES, Action
from opsdesk.incidents.forms import attach_error, run_action
from opsdesk.incidents.models import Incident
from opsdesk.knowledge.search import search_articles

from . import signin, surveys
from .forms import (
    SOURCE,
    NotSolvedForm,
    PortalCommentForm,
    SignInLinkForm,
    SolvedForm,
    SubmitForm,
    SurveyForm,
)
from .models import SurveyResponse
from .queries import known_solutions, my_tickets, similar_open_tickets

TABS = ("open", "closed")
PAGE_SIZE = 20
ACTION_FORMS = {Action.COMMENT: PortalCommentForm, Action.CONFIRM: SolvedForm,
                Action.REJECT: NotSolvedForm}


def portal_view(view):
    """Signed-in requesters; staff are sent to the console."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_requester:
            return redirect("incidents:queue")
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def _load(request, number: str) -> Incident:
    try:
        return queries.get_incident_for(request.user, number)
    except (NotFound, Forbidden):
        raise Http404(number) from None


@require_GET
@portal_view
def home(request):
    tab = request.GET.get("tab", "open")
    if tab not in TABS:
        raise Http404(tab)
    try:
        page = queries.page_of(my_tickets(request.user, tab), sort="newest",
                               cursor=request.GET.get("cursor") or None, limit=PAGE_SIZE,
                               shape=lambda rows: rows.select_related("requester"))
    except Invalid:
        raise Http404 from None
    return render(request, "portal/home.html", {
        "tab": tab, "page": page,
        "counts": {name: my_tickets(request.user, name).count() for name in TABS},
    })


@portal_view
def submit(request):
    form = SubmitForm(request.POST or None, request.FILES or None, user=request.user)
    status = 200
    if form.is_bound and form.is_valid():
        try:
            incident = form.log(request.user)
        except OpsDeskError as error:
            attach_error(form, error)
            status = error.status
        else:
            messages.success(request, _("Thank you. Your ticket is registered; the service "
                                        "desk will be in touch."))
            return redirect("portal:ticket", incident.number)
    elif form.is_bound:
        status = Invalid.status
    return render(request, "portal/submit.html", {
        "form": form, **(_suggestions(request.user, form) if form.is_bound else {}),
    }, status=status)


def _suggestions(user, form) -> dict:
    form.is_valid()
    typed = form.cleaned_data
    title = typed.get("title", "")
    return {
        "articles": search_articles(f"{title} {typed.get('description', '')}", user=user,
                                    limit=3),
        "solutions": known_solutions(
            user, text=f"{title} {typed.get('description', '')}",
            category=typed.get("category")),
        "open_tickets": similar_open_tickets(user, title=title),
    }


@require_GET
@portal_view
def suggestions(request):
    return render(request, "portal/_suggestions.html",
                  _suggestions(request.user, SubmitForm(request.GET, user=request.user)))


def _render_ticket(request, incident: Incident, failed=None, status: int = 200,
                   survey_form=None, attachment_error=None):
    allowed = set(rules.allowed_actions(incident, request.user))
    forms = {action: form_class(incident=incident, user=request.user, source=SOURCE)
             for action, form_class in ACTION_FORMS.items() if action in allowed}
    if failed is not None and failed.action in forms:
        failed.data = failed.data.copy()
        failed.data["version"] = str(incident.version)
        forms[failed.action] = failed
    invitation = surveys.open_invitation(request.user, incident)
    return render(request, "portal/ticket.html", {
        "incident": incident,
        "events": list(timeline.events_of(incident, public_only=True)),
        "attachments": list(queries.attachments_for(request.user, incident)),
        "comment_form": forms.get(Action.COMMENT),
        "solved_form": forms.get(Action.CONFIRM),
        "not_solved_form": forms.get(Action.REJECT),
        "action_error": failed.non_field_errors() if failed is not None else None,
        "expected_by": incident.resolve_due_at if incident.status in UNRESOLVED_STATUSES
        else None,
        "copy": _visible_link(request.user, Incident.objects.filter(copied_from=incident)),
        "copied_from": _visible_link(request.user,
                                     Incident.objects.filter(pk=incident.copied_from_id)),
        "survey_form": survey_form or (SurveyForm() if invitation else None),
        "survey_answer": _own_answer(request.user, incident),
        "attachment_error": attachment_error,
    }, status=status)


def _visible_link(user, incidents) -> Incident | None:
    linked = incidents.first()
    return linked if linked is not None and queries.may_see(user, linked) else None


def _own_answer(user, incident) -> SurveyResponse | None:
    return SurveyResponse.objects.filter(invitation__incident=incident,
                                         invitation__recipient=user).first()


@require_GET
@portal_view
def ticket(request, number):
    return _render_ticket(request, _load(request, number))


@require_POST
@portal_view
def act(request, number, action):
    incident = _load(request, number)
    try:
        form_class = ACTION_FORMS[Action(action)]
    except (ValueError, KeyError):
        raise Http404(action) from None
    form = form_class(request.POST, incident=incident, user=request.user, source=SOURCE)
    result, failed = run_action(form)
    if failed:
        return _render_ticket(request, _load(request, number), form, failed)
    if form.action == Action.REJECT:
        messages.success(request, _("We are sorry it is not solved. We have opened a new "
                                    "ticket for you and handed it back to the engineer."))
        return redirect("portal:ticket", result[1].number)
    messages.success(request, {
        Action.COMMENT: _("Your message was added."),
        Action.CONFIRM: _("Thank you for confirming. The ticket is closed."),
    }[form.action])
    return redirect("portal:ticket", number)


@require_POST
@portal_view
def attach(request, number):
    incident = _load(request, number)
    try:
        actions.add_attachment(incident, actor=request.user, source=SOURCE,
                               upload=request.FILES.get("file"), public=True)
    except OpsDeskError as error:
        return _render_ticket(request, _load(request, number), status=error.status,
                              attachment_error=error.fields.get("file", error.message))
    messages.success(request, _("File attached."))
    return redirect("portal:ticket", number)


@require_GET
@portal_view
def download(request, number, attachment_id):
    try:
        attachment = queries.get_attachment_for(request.user, number, attachment_id)
    except (NotFound, Forbidden):
        raise Http404(number) from None
    return attachment_response(attachment)


@require_POST
@portal_view
def answer_survey(request, number):
    incident = _load(request, number)
    form = SurveyForm(request.POST)
    if form.is_valid():
        try:
            surveys.answer(incident, actor=request.user, source=SOURCE, **form.cleaned_data)
        except OpsDeskError as error:
            attach_error(form, error)
            return _render_ticket(request, incident, status=error.status, survey_form=form)
        messages.success(request, _("Thank you for your feedback."))
        return redirect("portal:ticket", number)
    return _render_ticket(request, incident, status=Invalid.status, survey_form=form)


# Sign-in by e-mailed link ------------------------------------------------------


@require_http_methods(["GET", "POST"])
def request_signin_link(request):
    form = SignInLinkForm(request.POST or None)
    status = 200
    if form.is_bound and form.is_valid():
        try:
            signin.request_link(form.cleaned_data["email"])
        except OpsDeskError as error:
            form.add_error("email", str(error.message))
            status = error.status
        else:
            return render(request, "portal/signin_link_sent.html",
                          {"email": form.cleaned_data["email"]})
    elif form.is_bound:
        status = Invalid.status
    return render(request, "portal/signin_link.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def follow_signin_link(request, token):
    """GET only shows a button: mail scanners that open links must not use
    up the one sign-in."""
    if request.method == "GET":
        valid = signin.find_link(token) is not None
        return render(request, "portal/signin_follow.html", {"valid": valid},
                      status=200 if valid else 404)
    user = signin.use_link(token)
    if user is None:
        return render(request, "portal/signin_follow.html", {"valid": False}, status=404)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect(reverse("portal:home"))
