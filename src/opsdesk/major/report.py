"""The major-incident report (重大事件报告): generated from the record when
the emergency is lifted and stored as a snapshot (timeline, impact, cause,
actions taken, recovery time = business recovered − occurred)."""

from datetime import datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from opsdesk.core import timeline

from .choices import TeamRole


def _at(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _name(user) -> str:
    return str(user) if user else ""


def build(major, *, services, team, steps, updates) -> dict:
    incident = major.incident
    recovery = major.business_recovered_at - incident.occurred_at
    return {
        "number": major.number,
        "title": incident.title,
        "customer": str(incident.customer or ""),
        "priority": incident.priority,
        "ci": str(incident.ci or ""),
        "services": [service.name for service in services],
        "occurred_at": _at(incident.occurred_at),
        "declared_at": _at(major.declared_at),
        "declared_by": _name(major.declared_by),
        "reason": major.reason,
        "business_recovered_at": _at(major.business_recovered_at),
        "lifted_at": _at(major.lifted_at),
        "lifted_by": _name(major.lifted_by),
        "recovery_minutes": int(recovery.total_seconds() // 60),
        "cause": major.cause,
        "summary": major.summary,
        "plans": [plan.name for plan in major.plans.order_by("name")],
        "team": [{"name": _name(member.user), "role": member.role} for member in team],
        "steps": [{"text": step.text, "done_at": _at(step.done_at), "done_by": _name(step.done_by),
                   "note": step.note} for step in steps],
        "updates": [{"at": _at(update.at), "author": _name(update.author), "text": update.text}
                    for update in updates],
        "timeline": [{"at": _at(event.at), "actor": _name(event.actor), "kind": event.kind,
                      "note": event.note} for event in timeline.events_of(incident)],
        "problem": major.problem.number if major.problem_id else "",
    }


def duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return ngettext("%(m)d minute", "%(m)d minutes", rest) % {"m": rest}
    return _("%(h)d h %(m)02d min") % {"h": hours, "m": rest}


def when(value: str | None) -> datetime | None:
    """A stored instant, in the local time zone, for display."""
    return timezone.localtime(parse_datetime(value)) if value else None


def handling_details(content: dict) -> str:
    """The report as plain text: the description of the aftermath problem."""
    def local(value):
        moment = when(value)
        return moment.strftime("%Y-%m-%d %H:%M") if moment else "—"

    lines = [
        _("Major incident %(number)s: %(title)s") % content,
        _("Declared at %(at)s by %(who)s: %(reason)s") % {
            "at": local(content["declared_at"]), "who": content["declared_by"],
            "reason": content["reason"]},
        _("Occurred at %(occurred)s; business recovered at %(recovered)s; recovery time "
          "%(duration)s.") % {"occurred": local(content["occurred_at"]),
                              "recovered": local(content["business_recovered_at"]),
                              "duration": duration(content["recovery_minutes"])},
        _("Services affected: %(services)s") % {
            "services": "、".join(content["services"]) or "—"},
        _("Contingency plans: %(plans)s") % {
            "plans": "、".join(content["plans"]) or _("none (analysed with the vendors)")},
        _("Cause: %(cause)s") % {"cause": content["cause"] or "—"},
        _("Actions taken: %(summary)s") % {"summary": content["summary"] or "—"},
        "",
        _("Emergency team:"),
        *[f"- {member['name']} ({TeamRole(member['role']).label})" for member in content["team"]],
        "",
        _("Plan steps:"),
        *[f"- [{'x' if step['done_at'] else ' '}] {step['text']}"
          + (f" — {step['done_by']} {local(step['done_at'])} {step['note']}".rstrip()
             if step["done_at"] else "") for step in content["steps"]],
        "",
        _("Status updates:"),
        *[f"- {local(update['at'])} {update['author']}: {update['text']}"
          for update in content["updates"]],
    ]
    return "\n".join(lines).strip()
