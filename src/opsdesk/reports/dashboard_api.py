"""GET /api/v1/reports/panels/<name>: one dashboard panel as JSON, for the
pages' auto-refresh and for anyone who wants the figures."""

from ninja import Router

from opsdesk.core import clock

from . import dashboards

router = Router(tags=["reports"], by_alias=True)


@router.get("/{name}", summary="One dashboard panel")
def panel(request, name: str) -> dict:
    """Filters in the query string: team, customer, service (ids), and a
    period (period=month&year=2026&month=11, or from=…&to=…). A requester
    gets 403, as does anyone but managers for the management panels."""
    now = clock.now()
    data = dashboards.panel_for(request.auth, name, request.GET, now)
    return {**data.as_json(), "refreshed_at": now.isoformat()}
