"""Reading articles. Every load of an article for a user goes through
`get_article_for`, every list through `visible_articles`: requesters see
reviewed articles only; staff see drafts and retired ones too."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from opsdesk.core.errors import NotFound
from opsdesk.incidents.models import Incident

from .choices import ArticleStatus
from .models import Article, ArticleUse

RELATED = ("category", "author", "edited_by", "reviewer")


def visible_statuses(user) -> frozenset:
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if user.is_requester:
        return frozenset({ArticleStatus.REVIEWED})
    return frozenset(ArticleStatus)


def visible_articles(user) -> QuerySet:
    return Article.objects.filter(status__in=visible_statuses(user))


def get_article_for(user, number: str) -> Article:
    """The one gate for loading an article a user named. An article the user
    may not see is "not found": a requester learns nothing of drafts."""
    article = visible_articles(user).select_related(*RELATED).filter(number=number).first()
    if article is None:
        raise NotFound(_("Article %(number)s does not exist.") % {"number": number})
    return article


def uses_of(incident) -> QuerySet:
    return ArticleUse.objects.filter(incident=incident).select_related("article", "user") \
        .order_by("at", "id")


def articles_from(incident) -> QuerySet:
    """Articles written from this incident."""
    return Article.objects.filter(origin="incident", reference=incident.number)


@dataclass(frozen=True)
class Utilisation:
    resolved: int
    with_article: int

    @property
    def rate(self) -> float | None:
        return self.with_article / self.resolved if self.resolved else None


def utilisation(start: datetime, end: datetime) -> Utilisation:
    """Knowledge-base utilisation (INC-07): of the incidents resolved in
    [start, end), duplicates excluded, how many had an article recorded as used."""
    resolved = Incident.objects.filter(resolved_at__gte=start, resolved_at__lt=end,
                                       duplicate_of=None)
    used = resolved.filter(Exists(ArticleUse.objects.filter(incident=OuterRef("pk"))))
    return Utilisation(resolved=resolved.count(), with_article=used.count())
