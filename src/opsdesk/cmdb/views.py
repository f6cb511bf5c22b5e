"""The CMDB in the console: the CI list, a CI's page, import and export.
Staff only; loading goes through queries, changes through actions."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from opsdesk.core import timeline
from opsdesk.core.errors import OpsDeskError
from opsdesk.incidents.views import console_view

from . import impact, queries, rules
from .diagram import layout
from .forms import CiFilterForm, ImportForm
from .models import CiAttribute
from .transfer import (
    ci_table,
    csv_bytes,
    import_tables,
    read_tables,
    relationship_table,
    xlsx_bytes,
)

PAGE_SIZE = 100
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


@require_GET
@console_view
def ci_detail(request, pk: int):
    try:
        ci = queries.get_ci_for(request.user, pk)
    except OpsDeskError:
        raise Http404(pk) from None
    outgoing, incoming = queries.relationships_of(ci)
    return render(request, "cmdb/detail.html", {
        "ci": ci, "attributes": _attributes(ci), "outgoing": outgoing, "incoming": incoming,
        "diagram": layout(ci, outgoing, incoming),
        "services": list(impact.affected_services(ci)),
        "supporting": list(impact.supporting_items(ci)) if ci.type_id == "business_service"
        else None,
        "incidents": queries.incident_history(request.user, ci),
        "problems": queries.problem_history(request.user, ci),
        "events": list(timeline.events_of(ci)),
    })


@console_view
def ci_import(request):
    if not rules.may_change(request.user):
        raise PermissionDenied
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
