"""A small hand-made graph with a cycle, built through the real actions by
engineer_chen (an editor of the CMDB).

    app-web  part_of  svc-bank        app-trade part_of  svc-trade
    app-web  runs_on  vm-1            app-trade runs_on  vm-2
    app-web  depends_on db            db        runs_on  vm-1
    vm-1     runs_on  host            vm-2      runs_on  host
    host     depends_on storage       storage   depends_on host   (the cycle)
    host     connected_to switch      (no dependency either way)
"""

from dataclasses import dataclass

import pytest

from opsdesk.cmdb import actions
from opsdesk.cmdb.models import CiType
from opsdesk.core.models import ConfigurationItem

from ..console.conftest import as_user  # noqa: F401  (the console's signed-in client)

ITEMS = {
    "svc-bank": "business_service", "svc-trade": "business_service",
    "app-web": "application", "app-trade": "application", "db": "database",
    "vm-1": "virtual_machine", "vm-2": "virtual_machine", "host": "physical_server",
    "storage": "storage", "switch": "network_device",
}
EDGES = [
    ("app-web", "part_of", "svc-bank"), ("app-trade", "part_of", "svc-trade"),
    ("app-web", "runs_on", "vm-1"), ("app-trade", "runs_on", "vm-2"),
    ("app-web", "depends_on", "db"), ("db", "runs_on", "vm-1"),
    ("vm-1", "runs_on", "host"), ("vm-2", "runs_on", "host"),
    ("host", "depends_on", "storage"), ("storage", "depends_on", "host"),
    ("host", "connected_to", "switch"),
]


@dataclass
class Graph:
    items: dict[str, ConfigurationItem]

    def __getitem__(self, name: str) -> ConfigurationItem:
        return self.items[name]

    def names(self, ids) -> set[str]:
        return set(ConfigurationItem.objects.filter(pk__in=list(ids))
                   .values_list("name", flat=True))


def draft(name: str, type_code: str, **fields) -> actions.CiDraft:
    return actions.CiDraft(name=name, type=CiType.objects.get(code=type_code), **fields)


@pytest.fixture
def graph(cast) -> Graph:
    editor = cast.engineer_chen
    items = {name: actions.create_ci(draft(name, code), actor=editor, source="web")
             for name, code in ITEMS.items()}
    for source, kind, target in EDGES:
        actions.add_relationship(items[source], kind, items[target], actor=editor,
                                 source="web")
    return Graph(items)
