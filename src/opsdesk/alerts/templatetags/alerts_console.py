"""The alerts behind an incident raised by monitoring, for its page."""

from django import template
from django.db.models import Count

from ..models import Alert

register = template.Library()

SHOWN = 200


@register.inclusion_tag("alerts/_incident_alerts.html")
def incident_alerts(incident):
    """This incident's alerts, firing first, then most recently seen; with
    how many fire and how many have cleared. Renders nothing without alerts."""
    alerts = list(Alert.objects.filter(incident=incident).select_related("source")
                  .order_by("status", "-last_seen_at", "id")[:SHOWN + 1])
    counts = {"firing": 0, "resolved": 0}
    if alerts:
        counts.update(Alert.objects.filter(incident=incident).values("status")
                      .annotate(n=Count("id")).order_by().values_list("status", "n"))
    return {"alerts": alerts[:SHOWN], "more": len(alerts) > SHOWN,
            "firing": counts["firing"], "total": counts["firing"] + counts["resolved"]}
