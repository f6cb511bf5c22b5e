"""The incident page's major-incident panel: declare (with the plans that
would apply), then the team, the plan's steps, status updates and lifting."""

from django import template
from django.utils.translation import gettext_lazy as _

from opsdesk.incidents.choices import UNRESOLVED_STATUSES

from .. import finding, rules
from ..choices import TeamRole
from ..forms import CadenceForm, DeclareForm, LiftForm, MemberForm, UpdateForm
from ..models import MajorIncident

register = template.Library()

EVENT_DESCRIPTIONS = {
    "plan_created": _("created the plan"),
    "plan_updated": _("edited the plan"),
    "drill_recorded": _("recorded a drill"),
}


@register.filter
def plan_event(event) -> str:
    return str(EVENT_DESCRIPTIONS.get(event.kind, event.kind))


@register.filter
def team_role(value: str) -> str:
    return str(TeamRole(value).label) if value in TeamRole.values else value


@register.inclusion_tag("major/_panel.html", takes_context=True)
def major_panel(context, incident):
    user = context["request"].user
    major = MajorIncident.objects.filter(incident=incident).prefetch_related("plans").first()
    panel = {"incident": incident, "major": major, "csrf_token": context.get("csrf_token")}
    if major is None:
        may_declare = rules.may_declare(user) and incident.status in UNRESOLVED_STATUSES
        return {**panel, "may_declare": may_declare,
                "candidates": finding.plans_for(incident) if may_declare else [],
                "declare_form": DeclareForm() if may_declare else None}
    team = list(major.team.select_related("user").order_by("id"))
    commander = next((m.user for m in team if m.role == TeamRole.COMMANDER), None)
    member_ids = {member.user_id for member in team}
    active = major.is_active
    may_command = active and rules.may_command(user, commander.pk if commander else None)
    return {
        **panel, "team": team, "commander": commander,
        "plans": list(major.plans.all()),
        "steps": list(major.steps.select_related("done_by").order_by("position", "id")),
        "updates": list(major.updates.select_related("author").order_by("-at", "-id")),
        "may_work": active and rules.may_work(user, member_ids),
        "may_command": may_command,
        "update_form": UpdateForm(), "member_form": MemberForm(),
        "cadence_form": CadenceForm(initial={"minutes": major.update_interval_minutes}),
        "lift_form": LiftForm.prefilled() if may_command else None,
    }
