"""The articles REST API (/api/v1/articles): search, read, write, review,
and record an article as used on an incident. Each endpoint loads through
queries (requesters read reviewed articles only), calls one action and
returns the article re-read."""

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from opsdesk.core.errors import Invalid
from opsdesk.core.models import ConfigurationItem, Service
from opsdesk.incidents.api import _category
from opsdesk.incidents.queries import get_incident_for

from . import actions, queries, rules
from .choices import ArticleStatus
from .forms import _named
from .schemas import (
    ArticleCreate,
    ArticleList,
    ArticleRead,
    ArticleUpdate,
    ReviewBody,
    UseBody,
    UseRead,
    article_read,
)
from .search import search_articles

router = Router(tags=["knowledge base"])
SOURCE = "api"
TAGS = {"cis": (ConfigurationItem, ("name",)), "services": (Service, ("name", "code"))}


class ArticleQuery(Schema):
    q: str = Field("", max_length=500, description="Words to search for, best match first.")
    status: ArticleStatus | None = None
    limit: int = Field(20, ge=1, le=100)


def _rows(fields: dict) -> dict:
    """Category, CI and service names in `fields` replaced by rows."""
    errors = {}
    if fields.get("category") is not None:
        fields["category"] = _category("category", fields["category"], errors)
    for name, (model, lookups) in TAGS.items():
        if fields.get(name) is not None:
            fields[name], unknown = _named(",".join(fields[name]), model, lookups)
            if unknown:
                errors[name] = _("Nothing called “%(name)s” was found.") % {
                    "name": "”, “".join(unknown)}
    if errors:
        raise Invalid(fields=errors)
    return fields


def _read(user, number: str) -> dict:
    article = queries.get_article_for(user, number)
    return article_read(article, staff=rules.may_write(user))


@router.get("", response=ArticleList, summary="Search or list articles")
def list_articles(request, wanted: Query[ArticleQuery]):
    """With `q`: the best matches, retired ones only when `status` asks.
    Without: the most recently updated. Requesters get reviewed articles only."""
    user = request.auth
    statuses = frozenset({wanted.status}) if wanted.status else None
    if wanted.q.strip():
        articles = search_articles(wanted.q, user=user, limit=wanted.limit, statuses=statuses)
    else:
        listed = queries.visible_articles(user)
        if statuses:
            listed = listed.filter(status__in=statuses)
        articles = listed.select_related(*queries.RELATED)[:wanted.limit]
    staff = rules.may_write(user)
    return {"items": [article_read(article, staff=staff) for article in articles]}


@router.post("", response={201: ArticleRead}, summary="Write a draft article")
def create_article(request, payload: ArticleCreate):
    article = actions.create_article(actor=request.auth, source=SOURCE,
                                     **_rows(payload.model_dump()))
    return Status(201, _read(request.auth, article.number))


@router.get("/{number}", response=ArticleRead, summary="Read an article")
def read_article(request, number: str):
    return _read(request.auth, number)


@router.patch("/{number}", response=ArticleRead, summary="Edit an article")
def update_article(request, number: str, payload: ArticleUpdate):
    article = queries.get_article_for(request.auth, number)
    changes = _rows(payload.model_dump(exclude_unset=True, exclude={"version"}))
    actions.update_article(article, actor=request.auth, source=SOURCE,
                           expected_version=payload.version, changes=changes)
    return _read(request.auth, number)


@router.post("/{number}/review", response=ArticleRead, summary="Approve, send back or retire")
def review_article(request, number: str, payload: ReviewBody):
    article = queries.get_article_for(request.auth, number)
    if payload.decision == "retire":
        actions.retire_article(article, actor=request.auth, source=SOURCE,
                               expected_version=payload.version, note=payload.note)
    else:
        actions.review_article(article, actor=request.auth, source=SOURCE,
                               expected_version=payload.version,
                               approve=payload.decision == "approve", note=payload.note)
    return _read(request.auth, number)


@router.post("/{number}/uses", response={201: UseRead}, summary="Record as used on an incident")
def use_article(request, number: str, payload: UseBody):
    article = queries.get_article_for(request.auth, number)
    incident = get_incident_for(request.auth, payload.incident)
    use = actions.mark_used(article, incident=incident, actor=request.auth, source=SOURCE)
    return Status(201, {"article": article.number, "incident": incident.number,
                        "user": request.auth.username, "at": use.at})
