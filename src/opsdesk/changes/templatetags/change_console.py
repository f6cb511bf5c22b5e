"""Change panels for other pages: the incident's linked changes with
"emergency change" (INC-17), a CI's change history (CMDB-02), a problem's
changes with "raise an RFC" (PRB-03); and the change page's words."""

from django import template
from django.utils.translation import gettext_lazy as _

from opsdesk.problems.choices import FINAL_STATES as PROBLEM_FINAL_STATES

from .. import rules
from ..actions import URGENT_PRIORITY
from ..models import Change, ChangeIncident

register = template.Library()

EVENT_DESCRIPTIONS = {
    "logged": _("raised the change"),
    "updated": _("edited fields"),
    "cab_convened": _("convened the CAB"),
    "voted": _("voted"),
    "cab_decided": _("the CAB's decision"),
    "pre_approved": _("pre-approved by the standard change template"),
    "window": _("set the window"),
    "incident_linked": _("linked an incident"),
    "emergency_logged": _("started an emergency change"),
    "emergency_recorded": _("recorded the emergency change"),
    "unrecorded_reminder": _("reminded the change managers: not recorded in time"),
}
TEXTS = (
    ("reason", _("reason for the change")), ("description", _("description")),
    ("implementation_plan", _("implementation plan")), ("rollback_plan", _("rollback plan")),
    ("test_plan", _("test plan")), ("implementation_notes", _("implementation notes")),
    ("review_notes", _("review notes")),
)
SHOWN = 50


@register.filter
def change_texts(change) -> list:
    return [(label, getattr(change, name)) for name, label in TEXTS if getattr(change, name)]


@register.inclusion_tag("changes/_incident_panel.html", takes_context=True)
def incident_changes(context, incident):
    user = context["request"].user
    links = (ChangeIncident.objects.filter(incident=incident).select_related("change")
             .order_by("id"))
    return {"incident": incident, "links": list(links),
            "may_log_emergency": (not incident.is_closed and incident.priority == URGENT_PRIORITY
                                  and rules.may_log_emergency(user))}


@register.inclusion_tag("changes/_ci_history.html")
def ci_changes(ci):
    return {"changes": list(Change.objects.filter(cis=ci).order_by("-planned_start",
                                                                  "-id")[:SHOWN])}


@register.inclusion_tag("changes/_problem_panel.html", takes_context=True)
def problem_changes(context, problem):
    user = context["request"].user
    return {"problem": problem, "changes": list(problem.changes.order_by("id")),
            "may_request": rules.may_raise(user) and problem.state not in PROBLEM_FINAL_STATES}
