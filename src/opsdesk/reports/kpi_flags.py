"""Facts about an incident that live in other tables (its team stints, the
knowledge articles used, the copy a rejection opened), as per-row
subqueries. Each is computed once per incident in an inner query however
many figures read it: the aggregates refer to them by name, and Django
then aggregates over a subquery instead of repeating them in every
aggregate. The five facts about team stints come from one probe of the
stint index per incident, as bits of `stint_bits`."""

from django.db.models import (
    Case,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThan

from opsdesk.core.choices import Tier
from opsdesk.incidents.models import Incident, StintKind, TeamStint
from opsdesk.knowledge.models import ArticleUse

ON_SITE = Q(tier=Tier.ONSITE)
HANDED_ON = Q(kind=StintKind.ASSIGNED) & ~Q(tier=Tier.SERVICE_DESK)
# Stint facts: bit → the stints that show it.
STINT_BITS = {
    # Dispatched on site (an on-site team held it).
    "on_site": (1, ON_SITE),
    # An on-site dispatch was accepted (接收).
    "on_site_accepted": (2, ON_SITE & Q(responded_at__isnull=False)),
    # The engineer reached the customer by the arrival deadline (or there was none).
    "arrived_in_time": (4, ON_SITE & Q(arrived_at__isnull=False)
                        & (Q(arrival_due_at=None) | Q(arrived_at__lte=F("arrival_due_at")))),
    # Given to a support team (L1–L3, on-site, vendor) by the service desk.
    "handed_on": (8, HANDED_ON),
    # … before the incident's response deadline.
    "handed_on_in_time": (16, HANDED_ON & Q(started_at__lte=OuterRef("response_due_at"))),
}


def _stint_bits():
    bits = sum((Max(Case(When(shows, then=Value(bit)), default=Value(0)))
                for bit, shows in STINT_BITS.values()), Value(0))
    per_incident = (TeamStint.objects.filter(incident=OuterRef("pk")).values("incident")
                    .annotate(bits=bits).values("bits"))
    return Coalesce(Subquery(per_incident, output_field=IntegerField()), Value(0))


def stint_fact(name: str) -> Q:
    """Q for an incident whose stints show the fact `name` of STINT_BITS."""
    return Q(GreaterThan(F("stint_bits").bitand(STINT_BITS[name][0]), 0))


def _first_on_site_response():
    """(接收时间 − 分派时间) of the incident's first on-site dispatch that was
    accepted; looked up only for incidents that have one."""
    stint = (TeamStint.objects.filter(ON_SITE, incident=OuterRef("pk"),
                                      responded_at__isnull=False)
             .order_by("started_at", "id")
             .annotate(delay=ExpressionWrapper(F("responded_at") - F("started_at"),
                                               output_field=DurationField())))
    return Case(When(stint_fact("on_site_accepted"),
                     then=Subquery(stint.values("delay")[:1], output_field=DurationField())),
                default=None, output_field=DurationField())


INCIDENT_FLAGS = {
    "stint_bits": _stint_bits,
    "on_site_response": _first_on_site_response,
    "knowledge_used": lambda: Exists(ArticleUse.objects.filter(incident=OuterRef("pk"))),
    "reopened": lambda: Exists(Incident.objects.filter(copied_from=OuterRef("pk"))),
}
