"""Reading problems. Problems are internal records: staff see them, requesters never."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from opsdesk.core.errors import Forbidden, NotFound
from opsdesk.incidents.similarity import similarity, tokens

from .choices import KNOWN_ERROR_STATES, OPEN_STATES, State
from .models import Problem

QUEUES = ("mine", "open", "proposed", "known_errors", "all")
RELATED = ("owner", "team", "ci", "service")


def visible_problems(user) -> QuerySet:
    if not user.is_authenticated or not user.is_active or user.is_requester:
        return Problem.objects.none()
    return Problem.objects.all()


def get_problem_for(user, number: str) -> Problem:
    """The one gate for loading a problem a user named."""
    if not user.is_authenticated or user.is_requester:
        raise Forbidden()
    problem = Problem.objects.select_related(*RELATED).filter(number=number).first()
    if problem is None:
        raise NotFound(_("Problem %(number)s does not exist.") % {"number": number})
    return problem


def queue(user, name: str) -> QuerySet:
    problems = visible_problems(user).select_related(*RELATED)
    if name == "mine":
        return problems.filter(owner=user, state__in=OPEN_STATES)
    if name == "open":
        return problems.filter(state__in=OPEN_STATES)
    if name == "proposed":
        return problems.filter(state=State.PROPOSED)
    if name == "known_errors":
        return known_errors(problems)
    return problems


def known_errors(problems: QuerySet | None = None) -> QuerySet:
    problems = Problem.objects.all() if problems is None else problems
    return problems.filter(state__in=KNOWN_ERROR_STATES).exclude(workaround="")


# How alike a known error's text must be to what was typed to be shown.
MATCH_AT = 0.2
SHOWN = 10


def search_known_errors(user, *, text: str = "", ci=None, limit: int = SHOWN) -> list:
    """Known errors for an incident (PRB-04): those of its CI first, then by
    how alike their title and symptoms are to `text` (Chinese bigrams)."""
    candidates = known_errors(visible_problems(user)).select_related("ci")
    wanted = tokens(text) if text else set()
    scored = []
    for problem in candidates.order_by("-id")[:2000]:
        score = similarity(text, f"{problem.title} {problem.symptoms}") if wanted else 0.0
        same_ci = ci is not None and problem.ci_id == ci.pk
        if same_ci or score >= MATCH_AT:
            scored.append((not same_ci, -score, -problem.pk, problem))
    scored.sort(key=lambda row: row[:3])
    return [row[3] for row in scored[:limit]]
