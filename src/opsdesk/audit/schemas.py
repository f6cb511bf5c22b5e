from datetime import date, datetime

from ninja import Field, Schema


class AuditEventFilters(Schema):
    from_: date = Field(alias="from", description="First day, YYYY-MM-DD (time zone of the "
                                                  "service desk).")
    to: date = Field(description="Last day, inclusive.")
    type: str | None = Field(None, description="A record type: incident, problem, ci …")
    id: int | None = Field(None, description="One record's id (with `type`).")
    cursor: str | None = Field(None, description="`next_cursor` of the previous page.")
    limit: int = Field(100, ge=1, le=1000)


class AuditEventRead(Schema):
    """An event with what its hash covers (core/chain.py) and the hash it chains to."""

    id: int
    subject_type: str
    subject_id: int
    seq: int
    at: datetime
    actor: str | None = Field(description="Username; null for the system.")
    source: str
    kind: str
    changes: dict
    note: str
    public: bool
    previous_hash: str = Field(description="The hash of event seq - 1; empty for the first.")
    hash: str


class AuditEventPage(Schema):
    items: list[AuditEventRead]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end.")
