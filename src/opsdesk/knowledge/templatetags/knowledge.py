"""The knowledge base on other pages: the article panel of the intake form
and of the incident page, and the article's history told in words."""

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from opsdesk.incidents import rules as incident_rules
from opsdesk.incidents.choices import Status as IncidentStatus

from .. import queries, rules
from ..choices import ArticleStatus, Language, Origin
from ..models import Article
from ..search import search_articles

register = template.Library()

EVENT_DESCRIPTIONS = {
    "created": _("wrote the draft"),
    "edited": _("edited the article"),
    "approved": _("approved the article"),
    "sent_back": _("sent the article back to its author"),
    "retired": _("retired the article"),
    "used": _("recorded the article as used on an incident"),
}
SUGGESTIONS = 5


@register.simple_tag
def article_status(status):
    status = ArticleStatus(status)
    return format_html('<span class="badge status {}" data-status="{}">{}</span>',
                       status.badge, status.value, status.label)


@register.filter
def article_event(event) -> str:
    return str(EVENT_DESCRIPTIONS.get(event.kind, event.kind))


def _label(name: str) -> str:
    try:
        return str(Article._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:  # a key written by a later version: show it as stored
        return name


def _value(name: str, value) -> str:
    if value in (None, "", []):
        return "—"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    choices = {"status": ArticleStatus, "language": Language, "origin": Origin}.get(name)
    if choices is not None and value in choices.values:
        return str(choices(value).label)
    return str(value)


@register.filter
def article_changes(event) -> list[tuple[str, str, str]]:
    return [(_label(name), _value(name, pair[0]), _value(name, pair[1]))
            for name, pair in event.changes.items()
            if isinstance(pair, list) and len(pair) == 2 and pair[0] != pair[1]]


@register.inclusion_tag("knowledge/_intake_panel.html", takes_context=True)
def article_suggestions(context, form):
    """On the intake page: articles matching the title and symptoms typed so
    far, refreshed by htmx as the agent types (INC-07)."""
    text = " ".join(str(form.data.get(name, "")) for name in ("title", "symptoms"))
    return {"articles": search_articles(text, user=context["request"].user, limit=SUGGESTIONS)}


@register.inclusion_tag("knowledge/_incident_panel.html", takes_context=True)
def incident_knowledge(context, incident):
    """On the incident page: the articles recorded as used, suggestions to
    record, and writing an article from the resolved incident."""
    user = context["request"].user
    uses = list(queries.uses_of(incident))
    may_record = user.role in incident_rules.HANDLERS and \
        incident.status != IncidentStatus.CLOSED
    suggestions = []
    if may_record:
        used = {use.article_id for use in uses}
        found = search_articles(f"{incident.title} {incident.symptoms}", user=user,
                                limit=SUGGESTIONS + len(used))
        suggestions = [article for article in found if article.pk not in used][:SUGGESTIONS]
    resolved = incident.status in (IncidentStatus.RESOLVED, IncidentStatus.CLOSED)
    return {
        "incident": incident, "uses": uses, "suggestions": suggestions,
        "may_record": may_record, "csrf_token": context.get("csrf_token"),
        "may_write": resolved and bool(incident.solution) and rules.may_write(user),
        "written": list(queries.articles_from(incident).exclude(status=ArticleStatus.RETIRED)),
    }
