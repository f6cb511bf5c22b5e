"""The KPI console: the table of every figure for a period, filters and a
grouping (/reports/kpis/), and the rows behind one figure
(/reports/kpis/<key>/tickets/). Staff only, as the rest of the console."""

from datetime import date

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from opsdesk.calls.models import CallRecord
from opsdesk.core.choices import Tier
from opsdesk.core.errors import Invalid
from opsdesk.core.models import Category, Customer, Service, Team
from opsdesk.incidents.choices import Channel
from opsdesk.incidents.views import console_view
from opsdesk.problems.models import Problem

from . import kpis
from .kpi_filters import GROUPINGS, TIME_GROUPINGS, Filters, parse_group_by
from .periods import Period

PAGE = 50
UNITS = {"percent": "%", "hours": "h", "minutes": "min", "score": "", "count": ""}


def parse_request(query) -> tuple[Period, Filters, str | None]:
    """Period, filters and grouping of a KPI request; Invalid lists every bad field."""
    errors, parsed = {}, []
    for parse in (Period.parse, Filters.parse, lambda q: parse_group_by(q.get("group_by"))):
        try:
            parsed.append(parse(query))
        except Invalid as error:
            errors.update(error.fields)
            parsed.append(None)
    if errors:
        raise Invalid(fields=errors)
    return tuple(parsed)


def parse_group(group_by: str | None, text: str | None):
    if group_by is None or not text:
        return None
    try:
        if group_by in TIME_GROUPINGS:
            return date.fromisoformat(text)
        if group_by in ("channel", "resolver_role"):
            return text
        return int(text)
    except ValueError:
        raise Invalid(fields={"group": _("This value is not valid.")}) from None


def _choices() -> dict:
    return {
        "teams": Team.objects.order_by("name").values_list("pk", "name"),
        "customers": Customer.objects.order_by("name").values_list("pk", "name"),
        "services": Service.objects.order_by("name").values_list("pk", "name"),
        "categories": Category.objects.order_by("name").values_list("pk", "name"),
        "channels": Channel.choices, "roles": Tier.choices, "priorities": (1, 2, 3, 4),
        "groupings": GROUPINGS,
    }


def _rows(figures, period, filters) -> list[dict]:
    rows = []
    for figure in figures:
        kpi = figure.kpi
        rows.append({
            "figure": figure, "kpi": kpi, "section": kpis.SECTIONS[kpi.section],
            "unit": UNITS[kpi.unit],
            "url": kpis.figure_url(figure, period, filters) if kpi.drillable else "",
            "denominator_url": kpis.figure_url(figure, period, filters, part="denominator")
            if kpi.drillable and figure.denominator is not None else "",
        })
    return rows


@require_GET
@console_view
def kpi_table(request):
    context = {"query": request.GET, **_choices()}
    try:
        period, filters, group_by = parse_request(request.GET)
    except Invalid as error:
        return render(request, "reports/kpi_table.html",
                      {**context, "errors": error.fields}, status=422)
    figures = kpis.compute(None, period, filters=filters, group_by=group_by)
    return render(request, "reports/kpi_table.html", {
        **context, "period": period, "filters": filters, "group_by": group_by,
        "rows": _rows(figures, period, filters),
        "previous": period.previous(), "base_query": filters.query_string(),
    })


@require_GET
@console_view
def kpi_tickets(request, key: str):
    if key not in kpis.KPIS:
        raise Http404(key)
    kpi = kpis.KPIS[key]
    try:
        period, filters, group_by = parse_request(request.GET)
        group = parse_group(group_by, request.GET.get("group"))
        part = request.GET.get("part") or "numerator"
        found = kpis.tickets(key, period, filters=filters, group=group, group_by=group_by,
                             part=part)
    except Invalid as error:
        return render(request, "reports/kpi_tickets.html",
                      {"kpi": kpi, "errors": error.fields}, status=422)
    if found.model is CallRecord:
        found = found.select_related("incident")
    page = Paginator(found, PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "reports/kpi_tickets.html", {
        "kpi": kpi, "period": period, "part": part, "page": page,
        "group_label": kpis.group_label(group_by, group, period) if group_by else "",
        "kind": {CallRecord: "calls", Problem: "problems"}.get(found.model, "incidents"),
        "page_query": query.urlencode(),
    })
