from datetime import datetime

from ninja import Field, Schema

from opsdesk.incidents.schemas import StrictBody

from .choices import Category, Level, Source, State


class ProblemRead(Schema):
    number: str
    version: int
    title: str
    description: str
    symptoms: str
    category: Category | None
    level: Level
    source: Source
    state: State
    ci: str | None
    service: str | None
    owner: str | None
    team: str | None
    root_cause: str
    workaround: str
    solution: str
    preventive_actions: str
    change_reference: str
    review_minutes: str
    user_representatives: str
    dismissal_reason: str
    created_at: datetime
    opened_at: datetime | None
    known_error_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    incidents: list[str]


class ProblemCreate(StrictBody):
    title: str
    source: Source
    description: str = ""
    symptoms: str = ""
    category: Category | None = None
    level: Level = Level.MEDIUM
    ci: str | None = Field(None, description="Configuration item name.")
    incident: str | None = Field(None, description="Raise it from this incident (linked).")


class ProblemAct(StrictBody):
    """The fields an action takes; only those it knows are used."""

    version: int
    owner: str | None = Field(None, description="assign: the owner's login name.")
    team: str | None = Field(None, description="assign: the analysis group.")
    category: Category | None = None
    level: Level | None = None
    root_cause: str | None = None
    workaround: str | None = None
    symptoms: str | None = None
    solution: str | None = None
    preventive_actions: str | None = None
    change_reference: str | None = None
    review_minutes: str | None = None
    user_representatives: str | None = None
    reason: str | None = Field(None, description="dismiss: why.")
    note: str | None = None


class LinkBody(StrictBody):
    incident: str
