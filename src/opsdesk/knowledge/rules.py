"""The article workflow as plain data: which step may move an article from
which status, and who may take it. No database access; actions call
`check` before writing anything, pages call `allowed_steps` to show buttons.

An author writes a draft; a reviewer (incident, problem or service manager,
or an administrator) who neither wrote it nor edited it last approves it or
sends it back with a note; an edit of a reviewed article makes it a draft
again; reviewers retire articles, and a retired article never changes again.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from opsdesk.core.choices import Role
from opsdesk.core.errors import Forbidden, TransitionNotAllowed

from .choices import ArticleStatus, Step

REVIEWERS = frozenset({Role.INCIDENT_MANAGER, Role.PROBLEM_MANAGER, Role.SERVICE_MANAGER,
                       Role.ADMIN})
WRITERS = frozenset(Role) - {Role.REQUESTER}


@dataclass(frozen=True)
class Transition:
    sources: frozenset
    target: ArticleStatus
    roles: frozenset
    # Must the actor be someone other than the author and the last editor?
    second_pair_of_eyes: bool = False


WORKING = frozenset({ArticleStatus.DRAFT, ArticleStatus.REVIEWED})
STEPS: dict[Step, Transition] = {
    Step.EDIT: Transition(WORKING, ArticleStatus.DRAFT, WRITERS),
    Step.APPROVE: Transition(frozenset({ArticleStatus.DRAFT}), ArticleStatus.REVIEWED, REVIEWERS,
                             True),
    Step.SEND_BACK: Transition(frozenset({ArticleStatus.DRAFT}), ArticleStatus.DRAFT, REVIEWERS,
                               True),
    Step.RETIRE: Transition(WORKING, ArticleStatus.RETIRED, REVIEWERS),
}


def may_write(actor) -> bool:
    return actor.is_authenticated and actor.role in WRITERS


def may_edit(actor, article) -> bool:
    """The author and reviewers edit an article; other staff write their own."""
    return actor.pk == article.author_id or actor.role in REVIEWERS


def refusal(step: Step, article, actor):
    """Why `actor` may not take `step` on `article` now, or None if they may."""
    transition = STEPS[step]
    if article.status == ArticleStatus.RETIRED:
        return TransitionNotAllowed(_("This article is retired and can no longer be changed."))
    if actor.role not in transition.roles:
        return Forbidden(_("Your role may not do this to an article."))
    if step == Step.EDIT and not may_edit(actor, article):
        return Forbidden(_("Only the author or a reviewer may edit this article."))
    if transition.second_pair_of_eyes and actor.pk in (article.author_id, article.edited_by_id):
        return Forbidden(_("Someone other than the author and the last editor must review "
                           "an article."))
    if article.status not in transition.sources:
        status = ArticleStatus(article.status).label
        return TransitionNotAllowed(_("An article in status “%(status)s” cannot be changed "
                                      "this way.") % {"status": status})
    return None


def check(step: Step, article, actor) -> None:
    error = refusal(step, article, actor)
    if error is not None:
        raise error


def allowed_steps(article, actor) -> list[Step]:
    return [step for step in STEPS if refusal(step, article, actor) is None]
