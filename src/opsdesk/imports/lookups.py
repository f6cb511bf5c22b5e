"""Our names for teams, categories, CIs, services, customers and people, read
once per import, and what --create-missing will add."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from opsdesk.cmdb.actions import CiDraft, save_ci
from opsdesk.cmdb.models import CiType
from opsdesk.core.models import Category, ConfigurationItem, Customer, Service, Team, User

from .mapping import CREATABLE, Mapping
from .reading import UnreadableFile

PATH_SEPARATOR = " / "


@dataclass(frozen=True)
class Known:
    pk: int
    tier: str = ""
    vip: bool = False


def category_paths() -> dict[str, int]:
    """Every category by its full path, "网络 / 交换机"."""
    rows = {pk: (name, parent) for pk, name, parent
            in Category.objects.values_list("pk", "name", "parent_id")}

    def path(pk):
        name, parent = rows[pk]
        return name if parent is None else path(parent) + PATH_SEPARATOR + name

    return {path(pk): pk for pk in rows}


class Lookups:
    def __init__(self, mapping: Mapping, *, create_missing: bool):
        self.mapping = mapping
        self.create_missing = create_missing
        self.known = {
            "team": {name: Known(pk, tier) for pk, name, tier
                     in Team.objects.values_list("pk", "name", "tier")},
            "ci": {name: Known(pk) for pk, name
                   in ConfigurationItem.objects.values_list("pk", "name")},
            "category": {path: Known(pk) for path, pk in category_paths().items()},
            "service": _by_name_and_code(Service.objects.values_list("pk", "name", "code")),
            "customer": _by_name_and_code(
                (pk, name, code, klass == "vip") for pk, name, code, klass
                in Customer.objects.values_list("pk", "name", "code", "customer_class")),
        }
        self.people = {}
        for pk, username, display_name in User.objects.filter(is_active=True).values_list(
                "pk", "username", "display_name"):
            self.people.setdefault(username, pk)
            if display_name:
                self.people.setdefault(display_name, pk)
        self.missing = {name: set() for name in CREATABLE}

    def find(self, kind: str, name: str) -> Known | None:
        return self.known[kind].get(name)

    def accepts(self, kind: str, name: str) -> bool:
        """Known, or to be created: then remembered for create()."""
        if name in self.known[kind]:
            return True
        if self.create_missing and kind in CREATABLE:
            self.missing[kind].add(name)
            return True
        return False

    def person(self, name: str) -> int | None:
        return self.people.get(name)

    def check_creatable(self) -> None:
        if self.missing["ci"] and not CiType.objects.filter(code=self.mapping.ci_type).exists():
            raise UnreadableFile(_("Mapping: create.ci_type “%(type)s” is not a CI type here.")
                                 % {"type": self.mapping.ci_type})

    def create(self) -> dict[str, int]:
        """Create what was missing (inside the caller's transaction)."""
        counts = self.missing_counts()
        for path in sorted(self.missing["category"]):
            self._category(path)
        for name in sorted(self.missing["team"]):
            team = Team.objects.create(name=name, tier=self.mapping.team_tier)
            self.known["team"][name] = Known(team.pk, team.tier)
        ci_type = CiType.objects.filter(code=self.mapping.ci_type).first()
        for name in sorted(self.missing["ci"]):
            ci = save_ci(CiDraft(name=name, type=ci_type), actor=None, source="import")
            self.known["ci"][name] = Known(ci.pk)
        return counts

    def missing_counts(self) -> dict[str, int]:
        """How many rows create() makes: a category path counts each level
        that does not exist yet."""
        levels = set()
        for path in self.missing["category"]:
            parts = path.split(PATH_SEPARATOR)
            levels |= {PATH_SEPARATOR.join(parts[:size]) for size in range(1, len(parts) + 1)}
        return {"category": len(levels - set(self.known["category"])),
                "team": len(self.missing["team"]), "ci": len(self.missing["ci"])}

    def _category(self, path: str) -> int:
        if path in self.known["category"]:
            return self.known["category"][path].pk
        parent, _sep, name = path.rpartition(PATH_SEPARATOR)
        parent_id = self._category(parent) if parent else None
        category = Category.objects.create(name=name, parent_id=parent_id)
        self.known["category"][path] = Known(category.pk)
        return category.pk


def _by_name_and_code(rows) -> dict[str, Known]:
    known = {}
    for pk, name, code, *vip in rows:
        entry = Known(pk, vip=bool(vip and vip[0]))
        known.setdefault(name, entry)
        known.setdefault(code, entry)
    return known

