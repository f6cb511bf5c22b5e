from django import template
from django.utils.translation import gettext_lazy as _

from opsdesk.cmdb import impact

register = template.Library()

EVENT_DESCRIPTIONS = {
    "ci_created": _("created the item"),
    "ci_updated": _("edited the item"),
    "relationship_added": _("added a relationship"),
    "relationship_removed": _("removed a relationship"),
}


@register.filter
def ci_event(event) -> str:
    return str(EVENT_DESCRIPTIONS.get(event.kind, event.kind))


@register.simple_tag
def affected_services(ci) -> list:
    """The business services that fail with `ci` (CMDB-02); none without a CI."""
    return list(impact.affected_services(ci)) if ci else []
