"""/api/v1/calls: phone call records from the telephony system (what the
phone KPIs count). Staff only; requesters are refused."""

from ninja import Query, Router, Status

from opsdesk.core.errors import Invalid
from opsdesk.core.pagination import paginate

from . import queries
from .actions import CREATED, record_calls
from .schemas import (
    CallBatch,
    CallBatchResult,
    CallCreate,
    CallFilters,
    CallPage,
    CallResult,
    call_read,
)

router = Router(tags=["calls"], by_alias=True)


@router.post("", response={200: CallResult, 201: CallResult}, summary="Record a call")
def post_call(request, payload: CallCreate):
    """Idempotent by (source, external_id): a call sent again is updated to
    the new values (`outcome` "updated") or left as it is ("unchanged").
    201 when the call is new."""
    try:
        results = record_calls([payload.draft()], actor=request.auth)
    except Invalid as invalid:  # one call: its fields need no index
        invalid.fields = {name.partition(".")[2]: message
                          for name, message in invalid.fields.items()}
        raise
    status, body = _answer(request, results)
    return Status(status, body[0])


@router.post("/batch", response={200: CallBatchResult, 201: CallBatchResult},
             summary="Record a batch of calls")
def post_calls(request, payload: CallBatch):
    """All or nothing: an invalid call refuses every call of the batch, with
    errors named "calls.<index>.<field>". 201 when at least one call is new."""
    try:
        results = record_calls([call.draft() for call in payload.calls], actor=request.auth)
    except Invalid as invalid:
        invalid.fields = {f"calls.{name}": message for name, message in invalid.fields.items()}
        raise
    status, body = _answer(request, results)
    return Status(status, {"calls": body})


def _answer(request, results) -> tuple[int, list[dict]]:
    loaded = {call.pk: call for call in queries.visible_calls(request.auth).filter(
        pk__in=[record.pk for record, _outcome in results])}
    body = [call_read(loaded[record.pk], outcome=outcome) for record, outcome in results]
    return (201 if any(outcome == CREATED for _record, outcome in results) else 200), body


@router.get("", response=CallPage, summary="List calls")
def list_calls(request, filters: Query[CallFilters]):
    """Newest first; `since`/`until` bound the time the call was offered."""
    calls = queries.filter_calls(
        queries.visible_calls(request.auth), source=filters.source,
        direction=filters.direction, answered=filters.answered, since=filters.since,
        until=filters.until, agent=filters.agent, incident=filters.incident)
    page = paginate(calls, ["-offered_at", "-id"], filters.cursor, filters.limit)
    return CallPage(items=[call_read(call) for call in page.items], next_cursor=page.next_cursor)
