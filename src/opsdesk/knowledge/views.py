"""Knowledge-base pages under /kb/. Staff use them in the console;
requesters read reviewed articles in the portal's frame. Views stay thin:
parse, load through queries (the access gate), call the action, render."""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from opsdesk.core import timeline
from opsdesk.core.errors import NotFound, OpsDeskError
from opsdesk.incidents import queries as incident_queries
from opsdesk.incidents.forms import attach_error

from . import actions, queries, rules
from .forms import ArticleForm, SearchForm
from .search import search_articles

SOURCE = "web"
PAGE_SIZE = 30
SUGGESTIONS = 5


def staff_only(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not rules.may_write(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def _load(request, number: str):
    try:
        return queries.get_article_for(request.user, number)
    except NotFound:
        raise Http404(number) from None


def _frame(user) -> str:
    return "knowledge/portal_frame.html" if user.is_requester else "knowledge/console_frame.html"


@require_GET
@login_required
def article_list(request):
    form = SearchForm(request.GET)
    form.is_valid()
    wanted = form.cleaned_data
    status = wanted.get("status") if not request.user.is_requester else ""
    if wanted.get("q"):
        statuses = frozenset({status}) if status else None
        articles = search_articles(wanted["q"], user=request.user, limit=PAGE_SIZE,
                                   statuses=statuses)
        page = None
    else:
        listed = queries.visible_articles(request.user).select_related("author")
        if status:
            listed = listed.filter(status=status)
        page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
        articles = page.object_list
    return render(request, "knowledge/list.html", {
        "frame": _frame(request.user), "form": form, "articles": articles, "page": page,
        "may_write": rules.may_write(request.user),
    })


def _render_detail(request, article, *, status: int = 200, review_error=None):
    staff = rules.may_write(request.user)
    return render(request, "knowledge/detail.html", {
        "frame": _frame(request.user), "article": article, "staff": staff,
        "cis": list(article.cis.all()), "services": list(article.services.all()),
        "steps": set(rules.allowed_steps(article, request.user)) if staff else set(),
        "events": list(timeline.events_of(article)) if staff else [],
        "uses": list(article.uses.select_related("incident", "user").order_by("-at", "-id")[:50])
        if staff else [],
        "review_error": review_error,
    }, status=status)


@require_GET
@login_required
def detail(request, number):
    return _render_detail(request, _load(request, number))


@staff_only
def new(request):
    form = ArticleForm(request.POST or None, initial={"language": request.LANGUAGE_CODE})
    if form.is_bound and form.is_valid():
        try:
            article = actions.create_article(actor=request.user, source=SOURCE, **form.values())
        except OpsDeskError as error:
            attach_error(form, error)
        else:
            messages.success(request, _("Draft %(number)s saved. A reviewer can now approve "
                                        "it.") % {"number": article.number})
            return redirect(article)
    return render(request, "knowledge/edit.html", {"form": form, "article": None},
                  status=422 if form.errors else 200)


@staff_only
def edit(request, number):
    article = _load(request, number)
    if not rules.may_edit(request.user, article):
        raise PermissionDenied
    form = ArticleForm.for_article(article, request.POST or None)
    if form.is_bound and form.is_valid():
        try:
            actions.update_article(article, actor=request.user, source=SOURCE,
                                   expected_version=form.cleaned_data["version"],
                                   changes=form.values())
        except OpsDeskError as error:
            attach_error(form, error)
        else:
            messages.success(request, _("Article %(number)s saved.") % {
                "number": article.number})
            return redirect(article)
    return render(request, "knowledge/edit.html", {"form": form, "article": article},
                  status=422 if form.errors else 200)


def _version(request) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


@require_POST
@staff_only
def review(request, number):
    article = _load(request, number)
    decision = request.POST.get("decision")
    if decision not in ("approve", "send_back", "retire"):
        raise Http404(decision)
    try:
        if decision == "retire":
            article = actions.retire_article(article, actor=request.user, source=SOURCE,
                                   expected_version=_version(request),
                                   note=request.POST.get("note", ""))
        else:
            article = actions.review_article(article, actor=request.user, source=SOURCE,
                                   expected_version=_version(request),
                                   approve=decision == "approve",
                                   note=request.POST.get("note", ""))
    except OpsDeskError as error:
        message = error.fields.get("note", error.message)
        return _render_detail(request, _load(request, number), status=error.status,
                              review_error=message)
    messages.success(request, _("Article %(number)s: %(status)s.") % {
        "number": article.number, "status": article.status_label})
    return redirect(article)


@require_GET
@staff_only
def suggestions(request):
    """The intake page's panel: articles matching what has been typed."""
    text = " ".join(request.GET.get(name, "") for name in ("title", "symptoms"))
    return render(request, "knowledge/_suggestions.html", {
        "articles": search_articles(text, user=request.user, limit=SUGGESTIONS),
    })


def _incident(request, number: str):
    try:
        return incident_queries.get_incident_for(request.user, number)
    except OpsDeskError:
        raise Http404(number) from None


@require_POST
@staff_only
def use(request, number):
    """An agent records, on incident `number`, the article that helped."""
    incident = _incident(request, number)
    wanted = request.POST.get("article", "").strip().upper()
    try:
        article = queries.get_article_for(request.user, wanted)
        actions.mark_used(article, incident=incident, actor=request.user, source=SOURCE)
    except OpsDeskError as error:
        messages.error(request, error.fields.get("article", error.message))
    else:
        messages.success(request, _("Recorded: %(article)s helped with this incident.") % {
            "article": article.number})
    return redirect(incident)


@require_POST
@staff_only
def from_incident(request, number):
    incident = _incident(request, number)
    try:
        article = actions.create_from_incident(incident, actor=request.user, source=SOURCE)
    except OpsDeskError as error:
        messages.error(request, error.fields.get("incident", error.message))
        return redirect(incident)
    messages.success(request, _("Draft %(number)s written from %(incident)s: check it and "
                                "save.") % {"number": article.number, "incident": incident.number})
    return redirect("knowledge:edit", article.number)
