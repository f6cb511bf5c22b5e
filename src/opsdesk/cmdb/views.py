"""The CMDB in the console: the CI list, a CI's page with its relationships,
the CI form, import and export. Staff only; loading goes through queries,
changes through actions."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from opsdesk.core import timeline
from opsdesk.core.errors import Forbidden, OpsDeskError
from opsdesk.incidents.views import console_view

from . import actions, impact, lookup, queries, rules
from .diagram import layout
from .forms import CiFilterForm, CiForm, ImportForm, RelationshipForm
from .models import CiAttribute, CiRelationship
from .transfer import (
    ci_table,
    csv_bytes,
    import_tables,
    read_tables,
    relationship_table,
    xlsx_bytes,
)

PAGE_SIZE = 100
# The relationship action's field names, as the relationship form calls them.
ACTION_FIELDS = {"kind": "kind", "target": "other"}
SOURCE = "web"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_GET
@console_view
def ci_list(request):
    form = CiFilterForm(request.GET)
    items = queries.visible_cis(request.user)
    if form.is_valid():
        wanted = form.cleaned_data
        items = queries.filter_cis(items, q=wanted["q"], type_code=wanted["type"],
                                   status=wanted["status"], team=wanted["team"])
    else:
        items = items.none()
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "cmdb/list.html", {
        "form": form, "page": page, "query": params.urlencode(),
        "may_change": rules.may_change(request.user),
    })


def _attributes(ci) -> list[tuple[str, object]]:
    """(label, value) in the type's order; values of attributes no longer
    defined are still shown, under their key."""
    definitions = list(CiAttribute.objects.filter(ci_type_id=ci.type.pk))
    shown = [(row.label, ci.attributes.get(row.key, "—")) for row in definitions]
    known = {row.key for row in definitions}
    return shown + [(key, value) for key, value in ci.attributes.items() if key not in known]


def _load(request, pk: int):
    try:
        return queries.get_ci_for(request.user, pk)
    except OpsDeskError:
        raise Http404(pk) from None


def _editors_only(request) -> None:
    if not rules.may_change(request.user):
        raise PermissionDenied


@require_GET
@console_view
def ci_detail(request, pk: int):
    return _render_detail(request, _load(request, pk))


def _render_detail(request, ci, relationship_form=None, status: int = 200):
    outgoing, incoming = queries.relationships_of(ci)
    may_change = rules.may_change(request.user)
    return render(request, "cmdb/detail.html", {
        "may_change": may_change,
        "relationship_form": relationship_form or (RelationshipForm() if may_change else None),
        "ci": ci, "attributes": _attributes(ci), "outgoing": outgoing, "incoming": incoming,
        "diagram": layout(ci, outgoing, incoming),
        "services": list(impact.affected_services(ci)),
        "supporting": list(impact.supporting_items(ci)) if ci.type_id == "business_service"
        else None,
        "incidents": queries.incident_history(request.user, ci),
        "problems": queries.problem_history(request.user, ci),
        "events": list(timeline.events_of(ci)),
    }, status=status)


@console_view
def ci_new(request):
    _editors_only(request)
    form = CiForm(request.POST if request.method == "POST" else None,
                  type_code=request.GET.get("type", ""))
    return _ci_form(request, form, None)


@console_view
def ci_edit(request, pk: int):
    _editors_only(request)
    ci = _load(request, pk)
    return _ci_form(request, CiForm(request.POST if request.method == "POST" else None, ci=ci),
                    ci)


def _ci_form(request, form: CiForm, ci):
    status = 200
    if form.is_bound and form.is_valid():
        try:
            if ci is None:
                ci = actions.create_ci(form.draft(), actor=request.user, source=SOURCE)
            else:
                ci = actions.update_ci(ci, form.draft(), actor=request.user, source=SOURCE)
        except OpsDeskError as error:
            form.attach(error)
            status = error.status
        else:
            messages.success(request, _("Configuration item %(name)s saved.") % {
                "name": ci.name})
            return redirect(ci)
    elif form.is_bound:
        status = 422
    return render(request, "cmdb/form.html", {"form": form, "ci": ci}, status=status)


@require_GET
@console_view
def attribute_fields(request):
    """The attribute inputs of the type just chosen on the CI form (htmx)."""
    return render(request, "cmdb/_attribute_fields.html", {
        "form": CiForm(type_code=request.GET.get("type", ""))})


@require_POST
@console_view
def relationship_add(request, pk: int):
    ci = _load(request, pk)
    form = RelationshipForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, ci, form, status=422)
    wanted = form.cleaned_data
    try:
        other = lookup.named(request.user, wanted["other"])
        source, target = (ci, other) if wanted["direction"] == "out" else (other, ci)
        actions.add_relationship(source, wanted["kind"], target, actor=request.user,
                                 source=SOURCE)
    except OpsDeskError as error:
        for field, text in (error.fields or {None: error.message}).items():
            form.add_error(ACTION_FIELDS.get(field), str(text))
        return _render_detail(request, ci, form, status=error.status)
    messages.success(request, _("Relationship saved."))
    return redirect(ci)


@require_GET
@console_view
def relationship_candidates(request, pk: int):
    """The items matching what is typed in the relationship form's name field,
    to pick from (htmx)."""
    ci = _load(request, pk)
    typed = request.GET.get("other", "").strip()
    return render(request, "cmdb/_relationship_candidates.html", {
        "typed": typed, "candidates": lookup.matching_cis(request.user, typed, besides=ci)})


@require_POST
@console_view
def relationship_remove(request, pk: int, relationship_id: int):
    ci = _load(request, pk)
    edge = CiRelationship.objects.filter(Q(source=ci) | Q(target=ci), pk=relationship_id) \
        .select_related("source", "target").first()
    if edge is None:
        raise Http404(relationship_id)
    try:
        actions.remove_relationship(edge, actor=request.user, source=SOURCE)
    except Forbidden:
        raise PermissionDenied from None
    messages.success(request, _("Relationship removed."))
    return redirect(ci)


@console_view
def ci_import(request):
    _editors_only(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    report, status = None, 200
    if form.is_bound and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = import_tables(read_tables(upload.name, upload.read()), actor=request.user,
                                   source=SOURCE, dry_run=form.cleaned_data["dry_run"])
        except OpsDeskError as error:
            form.add_error("file", str(error.message))
            status = error.status
        else:
            status = 422 if report.problems else 200
            if report.applied:
                messages.success(request, _("Import done: %(created)s items new, %(updated)s "
                                            "updated, %(related)s relationships new.") % {
                    "created": report.created, "updated": report.updated,
                    "related": report.related})
    elif form.is_bound:
        status = 422
    return render(request, "cmdb/import.html", {"form": form, "report": report}, status=status)


@require_GET
@console_view
def ci_export(request):
    queries.visible_cis(request.user)  # the access check
    wanted = request.GET.get("format", "xlsx")
    if wanted == "xlsx":
        response = HttpResponse(xlsx_bytes(), content_type=XLSX)
        name = "cmdb.xlsx"
    elif wanted in ("cis", "relationships"):
        table = ci_table() if wanted == "cis" else relationship_table()
        response = HttpResponse(csv_bytes(table), content_type="text/csv; charset=utf-8")
        name = f"cmdb-{wanted}.csv"
    else:
        raise Http404(wanted)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
