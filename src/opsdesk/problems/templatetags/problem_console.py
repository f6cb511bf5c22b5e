"""The incident page's problem panel: linked problems, matching known errors
(PRB-04) with "apply workaround", and "raise problem"."""

from django import template
from django.utils.translation import gettext_lazy as _

from .. import queries
from ..models import ProblemIncident

register = template.Library()

EVENT_DESCRIPTIONS = {
    "logged": _("raised the problem"),
    "assigned": _("assigned an owner"),
    "updated": _("edited fields"),
    "incident_linked": _("linked an incident"),
    "incidents_notified": _("told the linked incidents"),
    "workaround_applied": _("applied the workaround to an incident"),
    "article_published": _("wrote the known error up as a knowledge article"),
    "change_raised": _("raised a request for change"),
}


@register.inclusion_tag("problems/_incident_panel.html", takes_context=True)
def incident_problems(context, incident):
    user = context["request"].user
    linked = [link.problem for link in ProblemIncident.objects.filter(incident=incident)
              .select_related("problem").order_by("id")]
    linked_ids = {problem.pk for problem in linked}
    matches = [] if incident.is_closed else [
        problem for problem in queries.search_known_errors(
            user, text=f"{incident.title} {incident.symptoms}", ci=incident.ci)
        if problem.pk not in linked_ids]
    return {"incident": incident, "linked": linked, "known_errors": matches,
            "csrf_token": context.get("csrf_token"), "may_raise": not incident.is_closed}
