"""The portal's words for the timeline, and the survey result on the
console's incident page."""

from django import template
from django.utils.translation import gettext_lazy as _

from opsdesk.incidents.choices import Status
from opsdesk.incidents.templatetags.incident_console import describe_event

from ..models import SurveyInvitation

register = template.Library()

# Worded for the requester; other public events keep the console's words.
PORTAL_EVENTS = {
    "logged": _("registered the ticket"),
    "accepted": _("started working on it"),
    "pended": _("is waiting for your answer"),
    "resolved": _("resolved it"),
    "confirmed": _("confirmed the solution; the ticket is closed"),
    "rejected": _("said it is not solved; the ticket is closed as not solved"),
    "closed": _("closed the ticket"),
    "comment": _("wrote"),
    "attachment_added": _("attached a file"),
}


@register.filter
def portal_event(event) -> str:
    wording = PORTAL_EVENTS.get(event.kind)
    return str(wording) if wording is not None else describe_event(event)


@register.filter
def new_status(event) -> str | None:
    """The status an event moved the ticket to, if it did."""
    change = event.changes.get("status")
    if isinstance(change, list) and len(change) == 2 and change[1] in Status.values:
        return change[1]
    return None


@register.inclusion_tag("portal/_survey_result.html")
def survey_result(incident):
    """The satisfaction survey of a closed incident, for the console."""
    invitation = SurveyInvitation.objects.filter(incident=incident).select_related(
        "response").first()
    return {"invitation": invitation,
            "response": getattr(invitation, "response", None) if invitation else None}
