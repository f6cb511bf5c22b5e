from datetime import datetime

from ninja import Field, Schema

from opsdesk.incidents.schemas import StrictBody

from .choices import Status, TeamRole
from .models import DEFAULT_UPDATE_MINUTES


class TeamEntry(StrictBody):
    user: str = Field(description="Login name.")
    role: TeamRole


class MajorIncidentCreate(StrictBody):
    incident: str = Field(description="The incident's number.")
    reason: str
    commander: str | None = Field(None, description="Login name; default: you.")
    team: list[TeamEntry] = []
    update_interval_minutes: int = DEFAULT_UPDATE_MINUTES


class MemberRead(Schema):
    user: str
    name: str
    role: TeamRole


class StepRead(Schema):
    id: int
    text: str
    plan: str | None
    done_at: datetime | None
    done_by: str | None
    note: str


class UpdateRead(Schema):
    at: datetime
    author: str
    text: str


class MajorIncidentRead(Schema):
    number: str
    version: int
    status: Status
    reason: str
    declared_at: datetime
    declared_by: str
    update_interval_minutes: int
    update_due_at: datetime | None
    last_update_at: datetime | None
    plans: list[str]
    team: list[MemberRead]
    steps: list[StepRead]
    updates: list[UpdateRead]
    business_recovered_at: datetime | None
    lifted_at: datetime | None
    cause: str
    summary: str
    problem: str | None


class UpdateCreate(StrictBody):
    text: str


class StepDone(StrictBody):
    note: str = ""


class LiftBody(StrictBody):
    business_recovered_at: datetime
    cause: str = ""
    summary: str = ""


class ReportRead(Schema):
    number: str
    generated_at: datetime
    recovery_minutes: int
    content: dict
