"""Proactive problem management (PRB-05): find recurring incidents and
propose problems with them attached.

A recurrence is at least `minimum` incidents registered within the last
`days` days that share their CI and category, or whose titles are alike
(Chinese character bigrams, incidents.similarity). Counted: faults and
alerts that are no duplicate (the master counts), no rejection copy, and
not yet linked to any problem. A cluster already proposed — open, accepted
or dismissed — is never proposed again: CI-and-category clusters by their
key, text clusters by a proposal with an alike title.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opsdesk.core import clock, timeline
from opsdesk.core.counters import next_value
from opsdesk.core.errors import Invalid
from opsdesk.core.models import Counter
from opsdesk.incidents.choices import Kind
from opsdesk.incidents.models import Incident
from opsdesk.incidents.similarity import similarity, tokens

from . import records
from .choices import FINAL_STATES, Source, State
from .models import Problem, ProblemIncident

DEFAULT_DAYS = 30
DEFAULT_MINIMUM = 3
# Titles at least this alike describe the same symptom.
ALIKE = 0.6
# The counter row proposers take turns on.
PROPOSING = "problems:trends:proposing"


@dataclass
class Cluster:
    key: str
    incidents: list

    @property
    def title(self) -> str:
        return self.incidents[0].title


def candidates(days: int, now) -> list[Incident]:
    return list(
        Incident.objects.filter(registered_at__gte=now - timedelta(days=days),
                                kind__in=(Kind.FAULT, Kind.ALERT), duplicate_of=None,
                                copied_from=None)
        .exclude(problem_links__isnull=False)
        .select_related("ci", "category").order_by("registered_at", "id")
    )


def find_clusters(incidents: list[Incident], minimum: int) -> list[Cluster]:
    """CI-and-category clusters first; text clusters among what is left."""
    by_ci = defaultdict(list)
    for incident in incidents:
        if incident.ci_id is not None and incident.category_id is not None:
            by_ci[(incident.ci_id, incident.category_id)].append(incident)
    clusters = [Cluster(f"ci:{ci}:category:{category}", members)
                for (ci, category), members in by_ci.items() if len(members) >= minimum]
    taken = {incident.pk for cluster in clusters for incident in cluster.incidents}
    clusters.extend(_text_clusters([i for i in incidents if i.pk not in taken], minimum))
    return clusters


def _text_clusters(incidents: list[Incident], minimum: int) -> list[Cluster]:
    """Each unclustered incident in time order seeds a cluster of the
    unclustered incidents alike to it. Only pairs sharing a bigram are scored."""
    postings = defaultdict(set)
    for index, incident in enumerate(incidents):
        for token in tokens(incident.title):
            postings[token].add(index)
    clustered, clusters = set(), []
    for index, seed in enumerate(incidents):
        if index in clustered:
            continue
        near = set().union(*(postings[t] for t in tokens(seed.title))) - clustered
        members = sorted(i for i in near
                         if similarity(seed.title, incidents[i].title) >= ALIKE)
        if len(members) >= minimum:
            clustered.update(members)
            clusters.append(Cluster(f"text:{seed.pk}", [incidents[i] for i in members]))
    return clusters


def _already_proposed(cluster: Cluster, earlier: list[Problem]) -> bool:
    for problem in earlier:
        if problem.trend_key == cluster.key:
            return True
        if cluster.key.startswith("text:") and problem.trend_key.startswith("text:") \
                and similarity(problem.title, cluster.title) >= ALIKE:
            return True
    return False


def propose(*, actor=None, source: str = "worker", days: int = DEFAULT_DAYS,
            minimum: int = DEFAULT_MINIMUM) -> list[Problem]:
    """Propose a problem for each new recurrence. A trend-proposed problem
    still open, or dismissed, blocks its cluster."""
    errors = {}
    if not isinstance(days, int) or not 1 <= days <= 366:
        errors["days"] = _("Give a window of 1 to 366 days.")
    if not isinstance(minimum, int) or not 2 <= minimum <= 1000:
        errors["min"] = _("Give a threshold of at least 2 incidents.")
    if errors:
        raise Invalid(fields=errors)
    return record_proposals(analyse(days, minimum), actor=actor, source=source, days=days,
                            minimum=minimum)


def analyse(days: int, minimum: int) -> list[Cluster]:
    """The recurrences of the last `days` days. Reads only: it may take a
    minute over a large month, so it runs outside any transaction and locks
    nothing that agents or the SLA sweep need meanwhile."""
    return find_clusters(candidates(days, clock.now()), minimum)


def record_proposals(clusters: list[Cluster], *, actor, source: str, days: int,
                     minimum: int) -> list[Problem]:
    """Open a problem for each cluster not proposed before, each in a short
    transaction of its own: a first run over a large history may propose
    thousands, and a cluster's incidents stay locked only while its problem
    is written. Proposers take turns on one counter row, so each sees what
    the others proposed before it decides."""
    earlier, proposed, seen_up_to = [], [], 0
    for cluster in clusters:
        with transaction.atomic():
            next_value(PROPOSING)
            newer = _trend_problems(after=seen_up_to)
            earlier.extend(newer)
            seen_up_to = max([seen_up_to, *(problem.pk for problem in newer)])
            if _already_proposed(cluster, earlier):
                continue
            problem = _open_for(cluster, actor=actor, source=source, days=days,
                                minimum=minimum)
        if problem is not None:  # the next turn reads it back with the others' proposals
            proposed.append(problem)
    return proposed


def _trend_problems(*, after: int) -> list[Problem]:
    return list(Problem.objects.filter(source=Source.TREND_ANALYSIS, pk__gt=after)
                .exclude(trend_key="")
                .exclude(state__in=FINAL_STATES - {State.DISMISSED}))


def _open_for(cluster: Cluster, *, actor, source: str, days: int,
              minimum: int) -> Problem | None:
    """The cluster's problem with its incidents linked; None when incidents
    linked to a problem since the analysis leave it below `minimum`."""
    for incident in sorted(cluster.incidents, key=lambda incident: incident.pk):
        timeline.lock_subject(incident)  # in one order, before linking them one by one
    linked = set(ProblemIncident.objects.filter(
        incident__in=cluster.incidents).values_list("incident_id", flat=True))
    members = [incident for incident in cluster.incidents if incident.pk not in linked]
    if len(members) < minimum:
        return None
    first = members[0]
    problem = records.open_problem(
        actor=actor, source=source, origin=Source.TREND_ANALYSIS, state=State.PROPOSED,
        trend_key=cluster.key,
        fields={"title": first.title, "ci": first.ci, "service": first.service,
                "description": _("%(count)d alike incidents within %(days)d days.") % {
                    "count": len(members), "days": days},
                "symptoms": first.symptoms or first.description},
    )
    for incident in members:
        records.link(problem, incident, actor=actor, source=source,
                     reason=ProblemIncident.Reason.TREND)
    return problem


def run_daily(now=None) -> list[Problem] | None:
    """Once per local day, however many workers ask: None if it ran already.
    The day is marked done after its proposals, so a crash leaves it to run
    again (what was proposed is not proposed twice)."""
    day_key = f"problems:trends:{timezone.localdate(now or clock.now()):%Y%m%d}"
    if Counter.objects.filter(key=day_key).exists():
        return None
    proposed = propose(actor=None, source="worker")
    with transaction.atomic():
        next_value(day_key)
    return proposed
