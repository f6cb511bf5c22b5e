"""OLA and underpinning-contract compliance per team, for the monthly report:
of the team stints that ended in a period and had a target, how many met it
and how many missed it. One aggregate query over the indexed end column;
a stint counts in the period it ended in, as a ticket counts when resolved."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, Q

from opsdesk.incidents.models import TeamStint

RESPONSE_MISSED = Q(response_due_at__isnull=False) & (
    Q(responded_at__gt=F("response_due_at"))
    | Q(responded_at=None, ended_at__gt=F("response_due_at"))
)


@dataclass(frozen=True)
class TeamCompliance:
    team_id: int
    team: str
    tier: str
    met: int
    breached: int
    # Vendors holding a ticket: accepted after their contract's response
    # target, or never accepted and held past it.
    response_missed: int

    @property
    def total(self) -> int:
        return self.met + self.breached

    @property
    def met_rate(self) -> float:
        return self.met / self.total if self.total else 0.0


def team_compliance(start: datetime, end: datetime, *, tiers=None) -> list[TeamCompliance]:
    """Per team (and tier), the stints that ended from `start` until before
    `end`, by team name; `tiers` narrows to some tiers (["vendor"] for UCs)."""
    stints = TeamStint.objects.filter(ended_at__gte=start, ended_at__lt=end,
                                      due_at__isnull=False)
    if tiers is not None:
        stints = stints.filter(tier__in=list(tiers))
    rows = (
        stints.values("team_id", "team__name", "tier")
        .annotate(met=Count("id", filter=Q(breached=False)),
                  breached_count=Count("id", filter=Q(breached=True)),
                  response_missed=Count("id", filter=RESPONSE_MISSED))
        .order_by("team__name", "tier")
    )
    return [TeamCompliance(team_id=row["team_id"], team=row["team__name"], tier=row["tier"],
                           met=row["met"], breached=row["breached_count"],
                           response_missed=row["response_missed"])
            for row in rows]
