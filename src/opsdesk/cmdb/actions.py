"""Every change to the CMDB: configuration items and their relationships.
Each entry point is one durable transaction that checks the actor, validates
everything before writing, and records a timeline event on the item."""

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from opsdesk.core import timeline
from opsdesk.core.errors import Forbidden, Invalid
from opsdesk.core.models import CiStatus, ConfigurationItem, Customer, Service, Team

from . import rules
from .attributes import clean_attributes
from .choices import BUSINESS_SERVICE, RelationshipKind
from .models import CiRelationship, CiType

# What an item's history shows of a change, in this order.
TRACKED = ("name", "type_id", "status", "owner_team_id", "service_id", "customer_id",
           "location", "vendor", "contract", "attributes")


@dataclass
class CiDraft:
    """The wanted state of an item, before it is checked."""

    name: str
    type: CiType
    status: str = CiStatus.IN_SERVICE
    owner_team: Team | None = None
    service: Service | None = None
    customer: Customer | None = None
    location: str = ""
    vendor: str = ""
    contract: str = ""
    attributes: dict = field(default_factory=dict)


def check_draft(draft: CiDraft, *, existing: ConfigurationItem | None = None,
                taken_names: set[str] | None = None) -> dict:
    """Errors by field name, empty when the draft may be saved. `draft.attributes`
    is replaced by the cleaned values. `taken_names`: names claimed elsewhere in
    the same batch."""
    errors = {}
    draft.name = draft.name.strip()
    if not draft.name:
        errors["name"] = _("This field is required.")
    elif len(draft.name) > 200:
        errors["name"] = _("Too long.")
    else:
        clash = ConfigurationItem.objects.filter(name=draft.name)
        if existing is not None:
            clash = clash.exclude(pk=existing.pk)
        if clash.exists() or draft.name in (taken_names or set()):
            errors["name"] = _("A configuration item called “%(name)s” exists already.") % {
                "name": draft.name}
    if draft.status not in CiStatus.values:
        errors["status"] = _("Choose one of: %(options)s.") % {
            "options": ", ".join(CiStatus.values)}
    for name, limit in (("location", 200), ("vendor", 200), ("contract", 100)):
        if len(getattr(draft, name)) > limit:
            errors[name] = _("Too long.")
    draft.attributes, attribute_errors = clean_attributes(draft.type, draft.attributes or {})
    errors.update(attribute_errors)
    return errors


def require_editor(actor) -> None:
    """`actor` None is the command line: whoever runs it administers the server."""
    if actor is not None and not rules.may_change(actor):
        raise Forbidden(_("You may not change the configuration database."))


def _snapshot(ci: ConfigurationItem) -> dict:
    return {name: getattr(ci, name) for name in TRACKED}


def save_ci(draft: CiDraft, *, actor, source: str,
            ci: ConfigurationItem | None = None) -> ConfigurationItem:
    """Create an item, or change `ci` to the draft. Composable: no own commit."""
    errors = check_draft(draft, existing=ci)
    if errors:
        raise Invalid(fields=errors)
    before = _snapshot(ci) if ci is not None else {}
    ci = ci or ConfigurationItem()
    for name in ("name", "type", "status", "owner_team", "service", "customer", "location",
                 "vendor", "contract", "attributes"):
        setattr(ci, name, getattr(draft, name))
    ci.save()
    after = _snapshot(ci)
    changes = {name: [before.get(name), after[name]] for name in TRACKED
               if before.get(name) != after[name]}
    if before and not changes:
        return ci
    timeline.record(ci, actor=actor, source=source,
                    kind="ci_updated" if before else "ci_created", changes=changes)
    return ci


def create_ci(draft: CiDraft, *, actor, source: str) -> ConfigurationItem:
    require_editor(actor)
    with transaction.atomic(durable=True):
        return save_ci(draft, actor=actor, source=source)


def update_ci(ci: ConfigurationItem, draft: CiDraft, *, actor, source: str) -> ConfigurationItem:
    require_editor(actor)
    with transaction.atomic(durable=True):
        locked = ConfigurationItem.objects.select_for_update().get(pk=ci.pk)
        return save_ci(draft, actor=actor, source=source, ci=locked)


def relate(source_ci: ConfigurationItem, kind: str, target_ci: ConfigurationItem, *, actor,
           source: str) -> tuple[CiRelationship, bool]:
    """Add “source_ci kind target_ci” once: (the relationship, whether it is new)."""
    if kind not in RelationshipKind.values:
        raise Invalid(fields={"kind": _("Choose one of: %(options)s.") % {
            "options": ", ".join(RelationshipKind.values)}})
    if source_ci.pk == target_ci.pk:
        raise Invalid(fields={"target": _("An item cannot be related to itself.")})
    existing = CiRelationship.objects.filter(source=source_ci, kind=kind, target=target_ci).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            relationship = CiRelationship.objects.create(source=source_ci, kind=kind,
                                                         target=target_ci)
    except IntegrityError:  # added by someone else meanwhile
        return CiRelationship.objects.get(source=source_ci, kind=kind, target=target_ci), False
    timeline.record(source_ci, actor=actor, source=source, kind="relationship_added",
                    changes={"relationship": [None, [kind, target_ci.name]]})
    return relationship, True


def add_relationship(source_ci: ConfigurationItem, kind: str, target_ci: ConfigurationItem, *,
                     actor, source: str) -> CiRelationship:
    require_editor(actor)
    with transaction.atomic(durable=True):
        return relate(source_ci, kind, target_ci, actor=actor, source=source)[0]


def unrelate(relationship: CiRelationship, *, actor, source: str) -> None:
    removed, _count = CiRelationship.objects.filter(pk=relationship.pk).delete()
    if removed:
        timeline.record(relationship.source, actor=actor, source=source,
                        kind="relationship_removed", changes={"relationship": [
                            [relationship.kind, relationship.target.name], None]})


def remove_relationship(relationship: CiRelationship, *, actor, source: str) -> None:
    require_editor(actor)
    with transaction.atomic(durable=True):
        unrelate(relationship, actor=actor, source=source)


def service_item(service: Service, *, actor, source: str) -> ConfigurationItem:
    """The service's configuration item of type business service, created
    (named like the service) when it has none. Composable: no own commit."""
    require_editor(actor)
    service = Service.objects.select_for_update().get(pk=service.pk)
    if service.ci_id is not None:
        return service.ci
    draft = CiDraft(name=service.name, type=CiType.objects.get(code=BUSINESS_SERVICE),
                    owner_team=service.owner_team, service=service)
    service.ci = save_ci(draft, actor=actor, source=source)
    service.save(update_fields=["ci"])
    return service.ci
