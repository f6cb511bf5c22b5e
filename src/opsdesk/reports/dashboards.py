"""The three dashboards (RPT-01): which panels each shows and who may open it.

`PANELS` maps a panel's name to its function `panel(user, filters, now) ->
PanelData` (see dashboard_data); bench/reports.py times each one. The pages
and the JSON endpoint both go through `panel_for`, which checks the role."""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opsdesk.core.choices import Role
from opsdesk.core.errors import Forbidden, NotFound

from . import dashboard_incident_manager, dashboard_management, dashboard_service_desk
from .dashboard_data import PanelData, PanelFilters

# Managers and leadership read the KPIs against targets; desk staff do not.
MANAGEMENT_ROLES = frozenset({
    Role.ADMIN, Role.INCIDENT_MANAGER, Role.PROBLEM_MANAGER, Role.CHANGE_MANAGER,
    Role.SERVICE_MANAGER, Role.OPS_DIRECTOR, Role.LEADERSHIP,
})
STAFF_ROLES = frozenset(Role) - {Role.REQUESTER}


@dataclass(frozen=True)
class Dashboard:
    slug: str
    title: str
    panels: dict
    roles: frozenset
    # Whether the period filter means anything here (the desk's panels look at today).
    has_period: bool

    def may_open(self, user) -> bool:
        return user.is_authenticated and user.is_active and user.role in self.roles


DASHBOARDS = {
    dashboard.slug: dashboard for dashboard in (
        Dashboard("service-desk", gettext_lazy("Service desk"),
                  dashboard_service_desk.PANELS, STAFF_ROLES, has_period=False),
        Dashboard("incident-manager", gettext_lazy("Incident manager"),
                  dashboard_incident_manager.PANELS, STAFF_ROLES, has_period=True),
        Dashboard("management", gettext_lazy("Management"),
                  dashboard_management.PANELS, MANAGEMENT_ROLES, has_period=True),
    )
}
DASHBOARD_OF = {name: dashboard for dashboard in DASHBOARDS.values() for name in dashboard.panels}
PANELS = {name: panel for dashboard in DASHBOARDS.values()
          for name, panel in dashboard.panels.items()}


def dashboards_for(user) -> list[Dashboard]:
    return [dashboard for dashboard in DASHBOARDS.values() if dashboard.may_open(user)]


def dashboard_for(user, slug: str) -> Dashboard:
    dashboard = DASHBOARDS.get(slug)
    if dashboard is None:
        raise NotFound(_("There is no dashboard called %(name)s.") % {"name": slug})
    if not dashboard.may_open(user):
        raise Forbidden(_("You may not open the %(name)s dashboard.") % {"name": dashboard.title})
    return dashboard


def panel_for(user, name: str, querydict, now) -> PanelData:
    """One panel's data for a user allowed to see its dashboard, filtered by
    the query string (Invalid when it does not parse)."""
    dashboard = DASHBOARD_OF.get(name)
    if dashboard is None:
        raise NotFound(_("There is no panel called %(name)s.") % {"name": name})
    dashboard_for(user, dashboard.slug)
    return PANELS[name](user, PanelFilters.parse(querydict), now)
