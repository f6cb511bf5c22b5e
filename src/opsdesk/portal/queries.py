"""What the portal reads beyond incidents.queries (the visibility gate)."""

from django.db.models import QuerySet

from opsdesk.incidents import queries
from opsdesk.incidents.choices import ClosureCode, Status
from opsdesk.incidents.models import Incident
from opsdesk.incidents.similarity import similarity

# A known solution is offered only for a close match: a wrong one wastes the
# requester's time more than none.
SOLUTION_THRESHOLD = 0.3
# Bounded: the newest resolved incidents of one customer are scored.
SOLUTION_POOL = 300


def my_tickets(user, tab: str) -> QuerySet:
    incidents = queries.visible_incidents(user)
    if tab == "closed":
        return incidents.filter(status=Status.CLOSED)
    return incidents.exclude(status=Status.CLOSED)


def known_solutions(user, *, text: str, category=None, limit: int = 3) -> list[Incident]:
    """Solutions of resolved incidents like `text` (INC-07), offered beside the
    knowledge base's articles: of the requester's own customer only, best
    first. The caller shows only their title and solution."""
    if not text.strip():
        return []
    if user.customer_id is not None:
        pool = Incident.objects.filter(customer_id=user.customer_id)
    else:
        pool = Incident.objects.filter(requester=user)
    pool = pool.filter(status__in=[Status.RESOLVED, Status.CLOSED], duplicate_of=None) \
        .exclude(solution="").exclude(closure_code=ClosureCode.UNSUCCESSFUL)
    if category is not None:
        pool = pool.filter(category=category)
    rows = pool.only("pk", "title", "symptoms", "solution").order_by("-id")[:SOLUTION_POOL]
    ranked = sorted(((similarity(text, f"{row.title} {row.symptoms}"), row) for row in rows),
                    key=lambda pair: (-pair[0], -pair[1].pk))
    return [row for score, row in ranked[:limit] if score >= SOLUTION_THRESHOLD]


def similar_open_tickets(user, *, title: str) -> list[Incident]:
    """The requester's open tickets (or their organisation's, where they see
    it) that look like what they are typing: perhaps it is already reported."""
    if user.customer_id is None:
        return []
    return [incident for incident, _score in queries.duplicate_candidates(
        user, title=title, customer=user.customer)]
