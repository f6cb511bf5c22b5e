"""The CMDB REST API (/api/v1/cis): read configuration items, their
relationships and their impact. Staff only, like the console."""

from ninja import Query, Router

from opsdesk.core.pagination import paginate

from . import impact, queries
from .schemas import (
    CiFilters,
    CiPage,
    CiRead,
    CiRelationshipRead,
    ImpactRead,
    ci_read,
    ci_ref,
    relationship_read,
)

router = Router(tags=["configuration items"])


@router.get("", response=CiPage, summary="List configuration items")
def list_cis(request, filters: Query[CiFilters]):
    items = queries.filter_cis(
        queries.visible_cis(request.auth).select_related("business_service"), q=filters.q,
        type_code=filters.type, status=filters.status, team=filters.team)
    page = paginate(items, ["name", "id"], filters.cursor, filters.limit)
    return CiPage(items=[ci_read(ci) for ci in page.items], next_cursor=page.next_cursor)


@router.get("/{ci_id}", response=CiRead, summary="Read a configuration item")
def read_ci(request, ci_id: int):
    return ci_read(queries.get_ci_for(request.auth, ci_id))


@router.get("/{ci_id}/relationships", response=list[CiRelationshipRead],
            summary="Relationships of a configuration item, both ways")
def list_relationships(request, ci_id: int):
    outgoing, incoming = queries.relationships_of(queries.get_ci_for(request.auth, ci_id))
    return [relationship_read(edge) for edge in [*outgoing, *incoming]]


@router.get("/{ci_id}/impact", response=ImpactRead, summary="Impact analysis")
def read_impact(request, ci_id: int):
    """Upward: the business services (and how many items) that fail when this
    item fails. Downward: the items it needs. Cycles are walked once."""
    ci = queries.get_ci_for(request.auth, ci_id)
    return ImpactRead(
        ci=ci_ref(ci), services=[ci_ref(row) for row in impact.affected_services(ci)],
        dependants=len(impact.dependant_ids(ci.pk)),
        supporting=[ci_ref(row) for row in impact.supporting_items(ci)])
