"""Facts about an incident that live in other tables (its team stints, the
knowledge articles used, the copy a rejection opened, what the tool it was
imported from said), as per-row subqueries. Each is computed once per
incident in an inner query however many figures read it: the aggregates
refer to them by name, and Django then aggregates over a subquery instead
of repeating them in every aggregate. The five facts about team stints come
from one probe of the stint index per incident, as bits of `stint_bits`."""

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
from opsdesk.imports.models import ImportedRecord
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
    accepted, NULL without one. Not guarded by stint_fact("on_site_accepted"):
    the guard would compute the stint bits a second time for every row, which
    costs more than this one probe of the stint index."""
    stint = (TeamStint.objects.filter(ON_SITE, incident=OuterRef("pk"),
                                      responded_at__isnull=False)
             .order_by("started_at", "id")
             .annotate(delay=ExpressionWrapper(F("responded_at") - F("started_at"),
                                               output_field=DurationField())))
    return Subquery(stint.values("delay")[:1], output_field=DurationField())


def _imported(**facts) -> Exists:
    """The tool an imported incident came from recorded `facts` about it
    (imports.ImportedRecord: facts that have no field on Incident)."""
    return Exists(ImportedRecord.objects.filter(incident=OuterRef("pk"), **facts))


INCIDENT_FLAGS = {
    "stint_bits": _stint_bits,
    "on_site_response": _first_on_site_response,
    # An article recorded as used here, or the source tool said knowledge helped.
    "knowledge_used": lambda: (Exists(ArticleUse.objects.filter(incident=OuterRef("pk")))
                               | _imported(used_knowledge=True)),
    # A rejected resolution opened a copy here, or the source tool re-opened
    # it (reopen_count > 0: one re-opened ticket however often it was).
    "reopened": lambda: (Exists(Incident.objects.filter(copied_from=OuterRef("pk")))
                         | _imported(reopen_count__gt=0)),
}
