from ninja import Schema


class TeamRead(Schema):
    name: str
    tier: str
    lead: str | None
