from datetime import datetime

from ninja import Field, Schema

from opsdesk.incidents.schemas import StrictBody

from .choices import Kind, Outcome, Relation, RiskLevel, State, Vote


class VoteRead(Schema):
    approver: str
    vote: Vote | None
    comment: str
    voted_at: datetime | None


class LinkRead(Schema):
    incident: str
    relation: Relation


class ConflictRead(Schema):
    kind: str = Field(description="change or blackout")
    other: str = Field(description="The other change's number, or the blackout's name.")
    message: str


class ChangeRead(Schema):
    number: str
    version: int
    kind: Kind
    state: State
    title: str
    reason: str
    description: str
    implementation_plan: str
    rollback_plan: str
    test_plan: str
    template: str | None
    cis: list[str]
    services: list[str]
    impacted_services: list[str]
    customer: str | None
    planned_start: datetime | None
    planned_end: datetime | None
    requested_by: str
    owner: str | None
    implementer_team: str | None
    problem: str | None
    risk_answers: dict
    risk_impact: int | None
    risk_probability: int | None
    risk_score: int | None
    risk_level: RiskLevel | None
    quorum: int | None
    votes: list[VoteRead]
    outcome: Outcome | None
    implementation_notes: str
    review_notes: str
    record_due_at: datetime | None
    recorded_at: datetime | None
    created_at: datetime
    finished_at: datetime | None
    incidents: list[LinkRead]
    conflicts: list[ConflictRead]


class ChangeCreate(StrictBody):
    kind: Kind
    title: str
    reason: str = ""
    description: str = ""
    implementation_plan: str = ""
    rollback_plan: str = ""
    test_plan: str = ""
    template: str | None = Field(None, description="Standard change template name.")
    cis: list[str] = Field(default_factory=list, description="Configuration item names.")
    services: list[str] = Field(default_factory=list, description="Service codes.")
    customer: str | None = Field(None, description="Customer code.")
    planned_start: datetime | None = None
    planned_end: datetime | None = None
    risk_answers: dict[str, str] | None = Field(
        None, description="Risk questionnaire: question key → answer key.")
    implementer_team: str | None = None
    owner: str | None = Field(None, description="Change owner's login name.")
    problem: str | None = Field(None, description="Raised for this problem.")
    submit: bool = Field(False, description="Submit at once.")


class ChangeAct(StrictBody):
    """The fields an action takes; only those it knows are used."""

    version: int | None = Field(None, description="Required except for vote, "
                                "raise-incident and link-incident.")
    approvers: list[str] | None = Field(None, description="assess: CAB members' login names.")
    risk_answers: dict[str, str] | None = None
    note: str | None = None
    vote: Vote | None = None
    comment: str | None = None
    planned_start: datetime | None = None
    planned_end: datetime | None = None
    implementer_team: str | None = None
    owner: str | None = None
    implementation_notes: str | None = None
    review_notes: str | None = None
    reason: str | None = None
    implementation_plan: str | None = None
    rollback_plan: str | None = None
    test_plan: str | None = None
    title: str | None = None
    impact: str | None = None
    urgency: str | None = None
    incident: str | None = None
    relation: Relation | None = None


class EmergencyCreate(StrictBody):
    incident: str
    title: str
    description: str = ""
    cis: list[str] = Field(default_factory=list)
    planned_end: datetime | None = None


class VoteBody(StrictBody):
    vote: Vote
    comment: str = Field("", description="Required with a rejection.")
