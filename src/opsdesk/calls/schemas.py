from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import AwareDatetime, ConfigDict, Field

from .actions import CallDraft
from .models import CallRecord


class CallCreate(Schema):
    """A call as the telephony system reports it. `customer` is a customer's
    code or name, `agent` a login name, `incident` an incident number."""

    model_config = ConfigDict(extra="forbid")

    source: str = Field(max_length=40, description="The telephony system, e.g. avaya.")
    external_id: str = Field(max_length=100, description="The call's ID in that system.")
    direction: Literal["inbound", "outbound"] = "inbound"
    caller_number: str = Field("", max_length=40)
    caller_name: str = Field("", max_length=100)
    customer: str = Field("", max_length=200)
    offered_at: AwareDatetime
    answered_at: AwareDatetime | None = Field(None, description="Empty: abandoned.")
    ended_at: AwareDatetime | None = None
    agent: str = Field("", max_length=150)
    agent_name: str = Field("", max_length=100)
    incident: str = Field("", max_length=24)

    def draft(self) -> CallDraft:
        return CallDraft(**self.model_dump())


class CallBatch(Schema):
    model_config = ConfigDict(extra="forbid")

    calls: list[CallCreate] = Field(min_length=1, max_length=1000)


class CallRead(Schema):
    id: int
    source: str
    external_id: str
    direction: str
    caller_number: str
    caller_name: str
    customer: str | None
    offered_at: datetime
    answered_at: datetime | None
    answer_seconds: int | None
    ended_at: datetime | None
    agent: str | None
    agent_name: str
    incident: str | None
    recorded_at: datetime


class CallResult(CallRead):
    outcome: Literal["created", "updated", "unchanged"]


class CallBatchResult(Schema):
    calls: list[CallResult]


class CallFilters(Schema):
    source: str = Field("", max_length=40)
    direction: Literal["", "inbound", "outbound"] = ""
    answered: bool | None = Field(None, description="true: answered calls; false: abandoned.")
    since: AwareDatetime | None = Field(None, description="Offered at or after.")
    until: AwareDatetime | None = Field(None, description="Offered before.")
    agent: str = Field("", max_length=150, description="Login name.")
    incident: str = Field("", max_length=24, description="Incident number.")
    cursor: str | None = Field(None, max_length=500)
    limit: int = Field(50, ge=1, le=200)


class CallPage(Schema):
    items: list[CallRead]
    next_cursor: str | None


def call_read(call: CallRecord, **extra) -> dict:
    """`call` loaded with customer, agent and incident (queries.CALL_RELATED)."""
    return {
        "id": call.pk, "source": call.source, "external_id": call.external_id,
        "direction": call.direction, "caller_number": call.caller_number,
        "caller_name": call.caller_name,
        "customer": call.customer.code if call.customer_id else None,
        "offered_at": call.offered_at, "answered_at": call.answered_at,
        "answer_seconds": call.answer_seconds, "ended_at": call.ended_at,
        "agent": call.agent.username if call.agent_id else None,
        "agent_name": call.agent_name,
        "incident": call.incident.number if call.incident_id else None,
        "recorded_at": call.recorded_at, **extra,
    }
