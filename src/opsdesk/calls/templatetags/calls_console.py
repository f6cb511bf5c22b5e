"""The phone calls linked to an incident, for its page."""

from django import template

from ..queries import calls_of_incident

register = template.Library()


@register.inclusion_tag("calls/_incident_calls.html")
def incident_calls(incident, user):
    """Renders nothing without calls, and nothing for requesters."""
    shown = user.is_authenticated and not user.is_requester
    return {"calls": calls_of_incident(incident) if shown else []}
