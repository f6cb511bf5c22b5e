"""Who hears of the review workflow, through the outbox in the caller's
transaction: the possible reviewers when a draft waits for review, the
author when it is approved or sent back."""

from opsdesk.core import outbox
from opsdesk.core.models import User

from . import rules
from .models import Article


def possible_reviewers(article: Article):
    """Everyone rules.STEPS lets approve it: reviewers other than its author
    and its last editor."""
    return (User.objects.filter(is_active=True, is_robot=False, role__in=rules.REVIEWERS)
            .exclude(pk__in=[article.author_id, article.edited_by_id]).order_by("pk"))


def ask_for_review(article: Article, *, actor) -> None:
    outbox.enqueue(article, event="article_review_requested",
                   recipients=possible_reviewers(article),
                   context={"article": article, "author": actor}, actor=actor)


def tell_author(article: Article, *, actor, approved: bool) -> None:
    event = "article_approved" if approved else "article_sent_back"
    outbox.enqueue(article, event=event, recipients=[article.author],
                   context={"article": article, "reviewer": actor}, actor=actor)
