"""Shapes of the articles API. Categories, CIs and services are named as
people name them; the rules are checked by the actions."""

from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import Field

from opsdesk.incidents.schemas import StrictBody

from .choices import ArticleStatus, Language, Origin


class ArticleCreate(StrictBody):
    title: str
    solution: str
    symptoms: str = ""
    cause: str = ""
    language: Language | None = Field(None, description="Defaults to the author's language.")
    category: str | None = Field(None, description="Category name, or “Parent / Name”.")
    cis: list[str] = Field(default_factory=list, description="Configuration item names.")
    services: list[str] = Field(default_factory=list, description="Service names or codes.")


class ArticleUpdate(StrictBody):
    """Only the fields sent are changed; `null` clears the category."""

    version: int
    title: str | None = None
    solution: str | None = None
    symptoms: str | None = None
    cause: str | None = None
    language: Language | None = None
    category: str | None = None
    cis: list[str] | None = None
    services: list[str] | None = None


class ReviewBody(StrictBody):
    version: int
    decision: Literal["approve", "send_back", "retire"]
    note: str = ""


class UseBody(StrictBody):
    incident: str = Field(description="The incident number, e.g. INC-20261123-0001.")


class ArticleRead(Schema):
    number: str
    language: Language
    title: str
    status: ArticleStatus
    category: str | None
    cis: list[str]
    services: list[str]
    symptoms: str
    cause: str
    solution: str
    author: str | None
    reviewer: str | None
    reviewed_at: datetime | None
    review_note: str
    origin: Origin
    reference: str
    version: int
    used_count: int
    created_at: datetime
    updated_at: datetime


class ArticleList(Schema):
    items: list[ArticleRead]


class UseRead(Schema):
    article: str
    incident: str
    user: str
    at: datetime


def article_read(article, *, staff: bool) -> dict:
    """What a reader sees; requesters do not see who wrote or reviewed it."""
    return {
        "number": article.number, "language": article.language, "title": article.title,
        "status": article.status,
        "category": str(article.category) if article.category_id else None,
        "cis": [ci.name for ci in article.cis.all()],
        "services": [service.name for service in article.services.all()],
        "symptoms": article.symptoms, "cause": article.cause, "solution": article.solution,
        "author": article.author.username if staff else None,
        "reviewer": article.reviewer.username if staff and article.reviewer_id else None,
        "reviewed_at": article.reviewed_at, "review_note": article.review_note if staff else "",
        "origin": article.origin, "reference": article.reference if staff else "",
        "version": article.version, "used_count": article.used_count,
        "created_at": article.created_at, "updated_at": article.updated_at,
    }
