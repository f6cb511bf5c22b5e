from ninja import Field, Schema

from opsdesk.core.models import ConfigurationItem

from .models import CiRelationship


class CiFilters(Schema):
    q: str = Field("", max_length=200, description="Text in the name, location, vendor or "
                                                  "contract.")
    type: str = Field("", max_length=40, description="Type code, e.g. virtual_machine.")
    status: str = Field("", max_length=20, description="planned, in_service, maintenance or "
                                                       "retired.")
    team: str = Field("", max_length=100, description="Owner team name.")
    cursor: str | None = Field(None, max_length=500)
    limit: int = Field(50, ge=1, le=200)


class CiRead(Schema):
    id: int
    name: str
    type: str = Field(description="Type code.")
    type_name: str
    status: str
    owner_team: str | None
    service: str | None = Field(description="Catalogue service it belongs to.")
    customer: str | None
    location: str
    vendor: str
    contract: str
    attributes: dict
    business_service: str | None = Field(
        description="When this item is a business service: the catalogue service's code.")


class CiPage(Schema):
    items: list[CiRead]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null at "
                                                "the end.")


class CiRelationshipRead(Schema):
    source: str
    kind: str = Field(description="runs_on, depends_on, connected_to or part_of; read as "
                                  "“source kind target”.")
    target: str


class CiRef(Schema):
    id: int
    name: str
    type: str


class ImpactRead(Schema):
    ci: CiRef
    services: list[CiRef] = Field(description="Business services that fail when it fails.")
    dependants: int = Field(description="How many items fail when it fails.")
    supporting: list[CiRef] = Field(description="Items it needs to work.")


def _name(row) -> str | None:
    return row.name if row is not None else None


def ci_read(ci: ConfigurationItem) -> CiRead:
    service = getattr(ci, "business_service", None)
    return CiRead(
        id=ci.pk, name=ci.name, type=ci.type_id, type_name=ci.type.name, status=ci.status,
        owner_team=_name(ci.owner_team), service=_name(ci.service), customer=_name(ci.customer),
        location=ci.location, vendor=ci.vendor, contract=ci.contract, attributes=ci.attributes,
        business_service=service.code if service else None)


def ci_ref(ci: ConfigurationItem) -> CiRef:
    return CiRef(id=ci.pk, name=ci.name, type=ci.type_id)


def relationship_read(edge: CiRelationship) -> CiRelationshipRead:
    return CiRelationshipRead(source=edge.source.name, kind=edge.kind, target=edge.target.name)
