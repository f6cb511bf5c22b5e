from ninja import Router

from .models import Team
from .schemas import TeamRead

router = Router(tags=["teams"])


@router.get("/teams", response=list[TeamRead])
def list_teams(request):
    """Support groups with their tier (service_desk, l1, l2, l3, onsite, vendor)."""
    return [
        TeamRead(name=team.name, tier=team.tier, lead=team.lead.username if team.lead else None)
        for team in Team.objects.select_related("lead").order_by("name")
    ]
