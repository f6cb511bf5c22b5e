"""Presentation helpers for the console: badges, and the timeline told in words."""

import re
from datetime import datetime

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from opsdesk.core.choices import Tier
from opsdesk.sla.choices import Impact, Urgency

from .. import rules
from ..choices import Channel, ClosureCode, Kind, Status, WaitingOn
from ..models import Incident

register = template.Library()

EVENT_DESCRIPTIONS = {
    "logged": _("logged the incident"),
    "updated": _("edited fields"),
    "assigned": _("assigned the incident"),
    "accepted": _("accepted the incident"),
    "pended": _("set the incident pending"),
    "resumed": _("resumed work"),
    "resolved": _("resolved the incident"),
    "confirmed": _("recorded the requester’s confirmation and closed the incident"),
    "rejected": _("recorded the requester’s rejection and closed the incident as unsuccessful"),
    "closed": _("closed the incident"),
    "duplicate_linked": _("linked the incident as a duplicate"),
    "duplicate_added": _("linked duplicates to this incident"),
    "priority_overridden": _("set the priority by hand"),
    "sla_recalculated": _("recalculated the SLA deadlines"),
    "comment": _("commented"),
    "attachment_added": _("attached a file"),
    "escalated": _("escalated the incident"),
    "intervened": _("took the incident over as a manager"),
    "arrived_on_site": _("recorded the arrival on site"),
    "survey_answered": _("answered the satisfaction survey"),
    "article_used": _("recorded a knowledge article as used"),
    "problem_linked": _("linked the incident to a problem"),
    "workaround_applied": _("applied a known error's workaround"),
    "problem_solved": _("recorded that the linked problem is solved"),
    "imported": _("recorded this in the tool the history was imported from"),
    "major_declared": _("declared a major incident"),
    "major_team_changed": _("changed the emergency team"),
    "major_step_done": _("completed a contingency-plan step"),
    "major_update": _("posted a major-incident status update"),
    "major_cadence_changed": _("changed the status-update cadence"),
    "major_lifted": _("confirmed the emergency is lifted"),
}
SOURCE_LABELS = {
    "web": _("console"),
    "api": _("API"),
    "portal": _("portal"),
    "email": _("e-mail"),
    "monitoring": _("monitoring"),
    "worker": _("system"),
    "system": _("system"),
    "demo": _("demo data"),
    "import": _("history import"),
}
# Keys in an event's `changes` that are not Incident fields.
EXTRA_LABELS = {
    "tier": _("tier"),
    "master": _("master incident"),
    "copy": _("copy"),
    "duplicates": _("duplicates"),
    "arrived_at": _("arrived on site at"),
    "arrival_due_at": _("arrival due at"),
    "arrived_in_time": _("arrived in time"),
}
# Times stored in an event's `changes` as ISO text, shown in the local zone.
TIME_KEYS = {"arrived_at", "arrival_due_at"}
VALUE_CHOICES = {
    "status": Status, "closure_code": ClosureCode, "waiting_on": WaitingOn, "kind": Kind,
    "channel": Channel, "impact": Impact, "urgency": Urgency, "tier": Tier,
    "resolver_role": Tier,
}
PRIORITY_FIELDS = {"priority", "matrix_priority", "priority_override"}
NUMBER = re.compile(r"\bINC-\d{8}-\d{4,}\b")


@register.simple_tag
def priority_badge(priority):
    if not priority:
        return "—"
    return format_html('<span class="badge prio-{0}" title="{1}">P{0}</span>', priority,
                       _("priority"))


@register.simple_tag
def status_badge(status):
    status = Status(status)
    return format_html('<span class="badge status {}" data-status="{}">{}</span>',
                       status.badge, status.value, status.label)


@register.filter
def may_monitor(user) -> bool:
    """Is the incident manager's view (INC-13) open to this user?"""
    return user.is_authenticated and user.role in rules.MANAGERS


@register.filter
def describe_event(event) -> str:
    return str(EVENT_DESCRIPTIONS.get(event.kind, event.kind))


@register.filter
def source_label(source: str) -> str:
    return str(SOURCE_LABELS.get(source, source))


@register.filter("field_label")
def _field_label(name: str) -> str:
    if name in EXTRA_LABELS:
        return str(EXTRA_LABELS[name])
    try:
        return str(Incident._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:  # a key written by a later version: show it as stored
        return name


def _value_label(name: str, value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return ", ".join(_value_label(name, item) for item in value)
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if name in PRIORITY_FIELDS:
        return f"P{value}"
    if name in TIME_KEYS:
        return timezone.localtime(datetime.fromisoformat(value)).strftime("%Y-%m-%d %H:%M:%S")
    choices = VALUE_CHOICES.get(name)
    if choices is not None and value in choices.values:
        return str(choices(value).label)
    return str(value)


@register.filter
def event_changes(event) -> list[tuple[str, str, str]]:
    """(field, old, new) for each change, worded for people."""
    return [
        (_field_label(name), _value_label(name, pair[0]), _value_label(name, pair[1]))
        for name, pair in event.changes.items()
        if isinstance(pair, list) and len(pair) == 2 and pair[0] != pair[1]
    ]


@register.filter(needs_autoescape=True)
def link_incidents(text, autoescape=True):
    """Escape text and turn incident numbers in it into links."""
    escaped = conditional_escape(str(text)) if autoescape else str(text)
    return mark_safe(NUMBER.sub(
        lambda match: format_html('<a href="{}">{}</a>',
                                  reverse("incidents:detail", args=[match[0]]), match[0]),
        escaped,
    ))
