"""The dashboard pages: every panel drawn on the server (its table is real
HTML), the chart drawn in the browser from the same JSON, which the page
fetches again from /api/v1/reports/panels/<name> every minute."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.dates import MONTHS
from django.views.decorators.http import require_GET

from opsdesk.core import clock
from opsdesk.core.errors import Forbidden, Invalid, NotFound
from opsdesk.core.models import Customer, Service, Team
from opsdesk.incidents.views import console_view

from . import dashboards
from .dashboard_data import PanelFilters

REFRESH_SECONDS = 60


@require_GET
@console_view
def dashboard_index(request):
    """The nav entry lands on the first dashboard this user may open."""
    return redirect("reports:dashboard", slug=dashboards.dashboards_for(request.user)[0].slug)


@require_GET
@console_view
def dashboard_page(request, slug: str):
    try:
        dashboard = dashboards.dashboard_for(request.user, slug)
    except NotFound:
        raise Http404(slug) from None
    except Forbidden:
        raise PermissionDenied from None
    errors = {}
    try:
        filters = PanelFilters.parse(request.GET)
    except Invalid as error:
        filters, errors = PanelFilters(), error.fields or {"": error.message}
    now = clock.now()
    panels = [panel(request.user, filters, now) for panel in dashboard.panels.values()]
    return render(request, "reports/dashboard.html", {
        "dashboard": dashboard,
        "dashboards": dashboards.dashboards_for(request.user),
        "panels": [(data, data.as_json()) for data in panels],
        "query": filters.query_string(),
        "filters": filters.filters,
        "errors": errors,
        "period": filters.period_or_month_of(now),
        "months": list(MONTHS.items()),
        "teams": Team.objects.values_list("pk", "name"),
        "customers": Customer.objects.values_list("pk", "name"),
        "services": Service.objects.values_list("pk", "name"),
        "refresh_seconds": REFRESH_SECONDS,
    }, status=422 if errors else 200)
