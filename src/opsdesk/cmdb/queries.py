"""Reading the CMDB for a user: the access gate, the filtered list, an
item's relationships and history."""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from opsdesk.core.errors import Forbidden, NotFound
from opsdesk.core.models import ConfigurationItem
from opsdesk.incidents.queries import visible_incidents
from opsdesk.problems.queries import visible_problems

from . import rules
from .models import CiRelationship

HISTORY_LIMIT = 50


def visible_cis(user) -> QuerySet:
    if not rules.may_view(user):
        raise Forbidden(_("The configuration database is for service staff."))
    return ConfigurationItem.objects.select_related("type", "owner_team", "service", "customer")


def get_ci_for(user, pk) -> ConfigurationItem:
    """The one gate for loading an item a user named by id."""
    ci = visible_cis(user).filter(pk=pk).first() if str(pk).isdigit() else None
    if ci is None:
        raise NotFound(_("Configuration item %(id)s does not exist.") % {"id": pk})
    return ci


def filter_cis(items: QuerySet, *, q: str = "", type_code: str = "", status: str = "",
               team: str = "") -> QuerySet:
    if q:
        items = items.filter(Q(name__icontains=q) | Q(location__icontains=q)
                             | Q(vendor__icontains=q) | Q(contract__icontains=q))
    if type_code:
        items = items.filter(type_id=type_code)
    if status:
        items = items.filter(status=status)
    if team:
        items = items.filter(owner_team__name=team)
    return items.order_by("name", "pk")


def relationships_of(ci: ConfigurationItem) -> tuple[list, list]:
    """(what it points to, what points to it), both with the other item loaded."""
    related = CiRelationship.objects.select_related("source__type", "target__type")
    return (list(related.filter(source=ci).order_by("kind", "target__name")),
            list(related.filter(target=ci).order_by("kind", "source__name")))


def problem_history(user, ci: ConfigurationItem) -> list:
    """The item's problems (CMDB-02), newest first, as far as the user may see them."""
    return list(visible_problems(user).filter(ci=ci).order_by("-created_at", "-pk")
                [:HISTORY_LIMIT])


def incident_history(user, ci: ConfigurationItem) -> list:
    """The item's incidents, newest first, as far as the user may see them."""
    return list(visible_incidents(user).filter(ci=ci).order_by("-registered_at", "-pk")
                [:HISTORY_LIMIT])
