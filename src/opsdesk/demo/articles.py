"""Knowledge articles for the demo: the solutions of a few resolved demo
incidents written up by their resolvers and reviewed by the incident
manager, plus one draft waiting for review."""

from opsdesk.core.models import User
from opsdesk.incidents.choices import ClosureCode, Status
from opsdesk.incidents.models import Incident
from opsdesk.knowledge import actions

REVIEWED, DRAFTS = 5, 1
REVIEWER = "lead_wang"


def write_articles() -> None:
    reviewer = User.objects.get(username=REVIEWER)
    resolved = (Incident.objects.filter(status=Status.CLOSED, closure_code=ClosureCode.SUCCESSFUL,
                                        resolved_by__isnull=False, category__isnull=False)
                .exclude(solution="").exclude(resolved_by=reviewer).order_by("resolved_at", "id"))
    written, seen_categories = 0, set()
    for incident in resolved:
        if incident.category_id in seen_categories:
            continue
        seen_categories.add(incident.category_id)
        article = actions.create_from_incident(incident, actor=incident.resolved_by,
                                               source="demo")
        if written < REVIEWED:
            actions.review_article(article, actor=reviewer, source="demo",
                                   expected_version=article.version, approve=True)
        written += 1
        if written == REVIEWED + DRAFTS:
            break
