"""GET /api/v1/audit/events: the timeline of a period for auditors (RPT-02)."""

from ninja import Query, Router

from opsdesk.core.pagination import paginate

from . import queries, rules
from .schemas import AuditEventFilters, AuditEventPage

router = Router(tags=["audit"], by_alias=True)


@router.get("/events", response=AuditEventPage, summary="Timeline events of a period")
def list_events(request, filters: Query[AuditEventFilters]):
    """Oldest first; follow `next_cursor`. For administrators, the service
    manager, the ops director and the process managers."""
    rules.check_auditor(request.auth)
    start, end = queries.period(filters.from_, filters.to)
    events = queries.events_between(start, end, queries.check_type(filters.type), filters.id)
    page = paginate(events, ["id"], filters.cursor, filters.limit)
    return {"items": [_read(event) for event in page.items], "next_cursor": page.next_cursor}


def _read(event) -> dict:
    return {"id": event.id, "subject_type": event.subject_type, "subject_id": event.subject_id,
            "seq": event.seq, "at": event.at,
            "actor": event.actor.username if event.actor else None, "source": event.source,
            "kind": event.kind, "changes": event.changes, "note": event.note,
            "public": event.public, "previous_hash": event.previous_hash, "hash": event.hash}
