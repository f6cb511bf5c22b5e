"""Every change to an article goes through a function of this module.

Entry points run in one durable transaction: they lock the row, check the
workflow rule (rules.check) and the caller's version, write, re-segment the
text for search, and append a timeline event with the old and new values,
which is the article's history. `create_from_text` joins the caller's
transaction instead, so that problem management can publish a known error
and its article together.
"""

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from opsdesk.core import clock, timeline
from opsdesk.core.counters import next_value
from opsdesk.core.errors import Forbidden, Invalid, OpsDeskError, VersionConflict
from opsdesk.incidents import rules as incident_rules
from opsdesk.incidents.choices import Status as IncidentStatus
from opsdesk.incidents.models import Incident
from opsdesk.incidents.validation import choice, optional_text, required_text

from . import notifications, rules
from .choices import ArticleStatus, Language, Origin, Step
from .models import Article, ArticleUse
from .segment import index_text

# The article's free-text fields: maximum length, and whether one is required.
TEXT_FIELDS = {
    "title": (200, True),
    "symptoms": (20000, False),
    "cause": (20000, False),
    "solution": (20000, True),
}
EDITABLE_FIELDS = (*TEXT_FIELDS, "language", "category", "cis", "services")


class ArticleExists(OpsDeskError):
    code = "article_exists"
    status = 409


def _clean(values: dict, errors: dict) -> dict:
    """Clean whichever editable fields `values` carries."""
    cleaned = dict(values)
    for name, (limit, required) in TEXT_FIELDS.items():
        if name in values:
            cleaned[name] = (required_text if required else optional_text)(
                values[name], name, limit, errors)
    if "language" in values:
        cleaned["language"] = choice(values["language"], Language, "language", errors)
    for name in ("cis", "services"):
        if name in values:
            cleaned[name] = sorted(set(values[name] or ()), key=lambda row: row.pk)
    return cleaned


def _index(article: Article, cis, services) -> None:
    """Segment the text for search. Tags are searchable as body words."""
    article.search_title = index_text(article.title)
    article.search_body = index_text(
        article.symptoms, article.cause, article.solution,
        article.category.name if article.category_id else "",
        *(ci.name for ci in cis), *(service.name for service in services),
    )


def _number() -> str:
    return f"KB-{next_value('article'):05d}"


def _default_language(actor) -> str:
    return actor.language or settings.LANGUAGE_CODE


def _refuse_second_article(origin: str, reference: str) -> None:
    if not reference:
        return
    existing = Article.objects.filter(origin=origin, reference=reference) \
        .exclude(status=ArticleStatus.RETIRED).first()
    if existing is not None:
        raise ArticleExists(_("Article %(number)s was already written from %(reference)s.")
                            % {"number": existing.number, "reference": reference})


def _create(*, actor, source: str, origin: str, reference: str, values: dict) -> Article:
    if not rules.may_write(actor):
        raise Forbidden(_("Only service staff write knowledge articles."))
    errors = {}
    values = _clean({"symptoms": "", "cause": "", "category": None, "cis": [], "services": [],
                     **values, "language": values.get("language") or _default_language(actor)},
                    errors)
    if errors:
        raise Invalid(fields=errors)
    _refuse_second_article(origin, reference)
    cis, services = values.pop("cis"), values.pop("services")
    now = clock.now()
    article = Article(number=_number(), author=actor, edited_by=actor, origin=origin,
                      reference=reference, created_at=now, updated_at=now, **values)
    _index(article, cis, services)
    article.save()
    article.cis.set(cis)
    article.services.set(services)
    timeline.record(article, actor=actor, source=source, kind="created",
                    changes={"status": [None, article.status]}, note=reference)
    notifications.ask_for_review(article, actor=actor)
    return article


@transaction.atomic(durable=True)
def create_article(*, actor, source: str, title, solution, symptoms="", cause="",
                   language=None, category=None, cis=(), services=()) -> Article:
    """A draft written by hand."""
    return _create(actor=actor, source=source, origin=Origin.WRITTEN, reference="", values={
        "title": title, "solution": solution, "symptoms": symptoms, "cause": cause,
        "language": language, "category": category, "cis": cis,
        "services": services,
    })


@transaction.atomic
def create_from_text(actor, title, symptoms, solution, *, cause="", ci=None, category=None,
                     service=None, source: str = "web", origin: str = Origin.KNOWN_ERROR,
                     reference: str = "", language=None) -> Article:
    """A draft from another record's text in one step (a known error, PRB-04).
    Joins the caller's transaction. A second article from the same record
    (`origin` + `reference`, e.g. "known_error", "KE-0001") is refused with
    ArticleExists while the first is not retired."""
    return _create(actor=actor, source=source, origin=origin, reference=reference, values={
        "title": title, "symptoms": symptoms, "solution": solution, "cause": cause,
        "language": language, "category": category,
        "cis": [ci] if ci is not None else [], "services": [service] if service else [],
    })


@transaction.atomic(durable=True)
def create_from_incident(incident: Incident, *, actor, source: str) -> Article:
    """A draft from a resolved incident: its title, symptoms (or description),
    solution, category, CI and service."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.status not in (IncidentStatus.RESOLVED, IncidentStatus.CLOSED):
        raise Invalid(fields={"incident": _("Only a resolved incident can become an article.")})
    if not incident.solution.strip():
        raise Invalid(fields={"incident": _("This incident has no solution to write down.")})
    return _create(actor=actor, source=source, origin=Origin.INCIDENT,
                   reference=incident.number, values={
                       "title": incident.title, "symptoms": incident.symptoms
                       or incident.description, "solution": incident.solution,
                       "category": incident.category,
                       "cis": [incident.ci] if incident.ci_id else [],
                       "services": [incident.service] if incident.service_id else [],
                   })


def _locked(article: Article, expected_version: int | None) -> Article:
    current = Article.objects.select_for_update(of=("self",)).select_related("category") \
        .get(pk=article.pk)
    if expected_version is not None and current.version != expected_version:
        raise VersionConflict()
    return current


def _save(article: Article, fields: list[str]) -> None:
    article.version += 1
    article.updated_at = clock.now()
    article.save(update_fields=[*fields, "version", "updated_at"])


def _names(rows) -> list[str]:
    return [str(row) for row in rows]


def _shown(value):
    """A value as the timeline stores it: names for records."""
    if isinstance(value, list):
        return _names(value)
    return str(value) if hasattr(value, "pk") else value


@transaction.atomic(durable=True)
def update_article(article: Article, *, actor, source: str, expected_version: int | None,
                   changes: dict) -> Article:
    """Edit the text and tags. A reviewed article becomes a draft again, to be
    reviewed anew; the review note of a sent-back draft is cleared."""
    article = _locked(article, expected_version)
    rules.check(Step.EDIT, article, actor)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise Invalid(fields={name: _("This field cannot be edited.") for name in unknown})
    errors = {}
    cleaned = _clean(changes, errors)
    if errors:
        raise Invalid(fields=errors)
    old_tags = {"cis": list(article.cis.order_by("pk")),
                "services": list(article.services.order_by("pk"))}
    tags = {name: cleaned.pop(name, old) for name, old in old_tags.items()}
    diff = {name: [_shown(old_tags[name]), _shown(tags[name])]
            for name in tags if tags[name] != old_tags[name]}
    for name, value in cleaned.items():
        if getattr(article, name) != value:
            diff[name] = [_shown(getattr(article, name)), _shown(value)]
            setattr(article, name, value)
    if not diff:
        return article
    # Reviewers were asked when the draft was written; they are asked again
    # when it comes back: reopened after approval, or reworked after a send-back.
    submitted_anew = article.status != ArticleStatus.DRAFT or bool(article.review_note)
    if article.status != ArticleStatus.DRAFT:
        diff["status"] = [article.status, ArticleStatus.DRAFT.value]
    article.status, article.edited_by = ArticleStatus.DRAFT, actor
    article.reviewer, article.reviewed_at, article.review_note = None, None, ""
    _index(article, tags["cis"], tags["services"])
    _save(article, [*cleaned, "status", "edited_by", "reviewer", "reviewed_at", "review_note",
                    "search_title", "search_body"])
    article.cis.set(tags["cis"])
    article.services.set(tags["services"])
    timeline.record(article, actor=actor, source=source, kind="edited", changes=diff)
    if submitted_anew:
        notifications.ask_for_review(article, actor=actor)
    return article


@transaction.atomic(durable=True)
def review_article(article: Article, *, actor, source: str, expected_version: int | None,
                   approve: bool, note: str = "") -> Article:
    """Approve a draft (it becomes reviewed and visible to requesters), or
    send it back to its author with a note saying what to change."""
    article = _locked(article, expected_version)
    step = Step.APPROVE if approve else Step.SEND_BACK
    rules.check(step, article, actor)
    errors = {}
    note = (optional_text if approve else required_text)(note, "note", 5000, errors)
    if errors:
        raise Invalid(fields=errors)
    old_status = article.status
    article.status = rules.STEPS[step].target
    article.review_note = note
    if approve:
        article.reviewer, article.reviewed_at = actor, clock.now()
    _save(article, ["status", "review_note", "reviewer", "reviewed_at"])
    timeline.record(article, actor=actor, source=source,
                    kind="approved" if approve else "sent_back", note=note,
                    changes={"status": [old_status, article.status]} if approve else {})
    notifications.tell_author(article, actor=actor, approved=approve)
    return article


@transaction.atomic(durable=True)
def retire_article(article: Article, *, actor, source: str, expected_version: int | None,
                   note: str = "") -> Article:
    """Take an article out of use: no longer suggested or shown to requesters."""
    article = _locked(article, expected_version)
    rules.check(Step.RETIRE, article, actor)
    errors = {}
    note = optional_text(note, "note", 5000, errors)
    if errors:
        raise Invalid(fields=errors)
    old_status = article.status
    article.status = ArticleStatus.RETIRED
    _save(article, ["status"])
    timeline.record(article, actor=actor, source=source, kind="retired", note=note,
                    changes={"status": [old_status, article.status]})
    return article


@transaction.atomic(durable=True)
def mark_used(article: Article, *, incident: Incident, actor, source: str) -> ArticleUse:
    """Record that `article` helped resolve `incident` (INC-07), once per
    pair, on both timelines; it counts towards the article's use and the
    knowledge-base utilisation KPI. A closed incident no longer changes."""
    if actor.role not in incident_rules.HANDLERS:
        raise Forbidden(_("Only those who work incidents record the articles they used."))
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.status == IncidentStatus.CLOSED:
        raise incident_rules.IncidentClosed()
    article = Article.objects.select_for_update().get(pk=article.pk)
    if article.status == ArticleStatus.RETIRED:
        raise Invalid(fields={"article": _("A retired article cannot be recorded as used.")})
    if ArticleUse.objects.filter(incident=incident, article=article).exists():
        raise Invalid(fields={"article": _("This article is already recorded on %(number)s.")
                              % {"number": incident.number}})
    use = ArticleUse.objects.create(incident=incident, article=article, user=actor,
                                    at=clock.now())
    Article.objects.filter(pk=article.pk).update(used_count=F("used_count") + 1)
    timeline.record(incident, actor=actor, source=source, kind="article_used",
                    note=f"{article.number} {article.title}")
    timeline.record(article, actor=actor, source=source, kind="used", note=incident.number)
    return use
