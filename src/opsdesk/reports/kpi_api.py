"""GET /api/v1/reports/kpis: the KPI figures as JSON, each with the console
link to the rows behind it."""

from django.utils.translation import gettext as _
from ninja import Router

from opsdesk.core.errors import Forbidden

from . import kpis
from .kpi_views import parse_request

router = Router(tags=["reports"], by_alias=True)


def _number(value):
    return None if value is None else float(value)


def figure_json(figure: kpis.Figure, period, filters) -> dict:
    kpi = figure.kpi
    return {
        "key": figure.key, "section": kpi.section, "label": str(kpi.label),
        "unit": kpi.unit, "value": _number(figure.value),
        "numerator": _number(figure.numerator), "denominator": figure.denominator,
        "target": _number(kpi.target), "target_direction": kpi.target_direction,
        "met": figure.met,
        "group": figure.group.isoformat() if hasattr(figure.group, "isoformat")
        else figure.group,
        "group_label": figure.group_label,
        "tickets_url": kpis.figure_url(figure, period, filters) if kpi.drillable else None,
    }


@router.get("", summary="KPI figures")
def kpi_figures(request) -> dict:
    """Query: a period (period=month&year=2026&month=11, quarter=, date= for a
    day or week, or from=YYYY-MM-DD&to=YYYY-MM-DD), filters (team, customer,
    service, category ids; priority; channel; resolver_role), group_by, and
    kpi=key,key to choose KPIs. Staff only."""
    if request.auth.is_requester:
        raise Forbidden(_("Only service staff may read the KPIs."))
    period, filters, group_by = parse_request(request.GET)
    keys = [key for key in (request.GET.get("kpi") or "").split(",") if key] or None
    figures = kpis.compute(keys, period, filters=filters, group_by=group_by)
    return {
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat(),
                   "grain": period.grain, "label": period.label},
        "filters": filters.active(), "group_by": group_by,
        "figures": [figure_json(figure, period, filters) for figure in figures],
    }
