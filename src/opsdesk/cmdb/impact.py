"""Impact analysis over the relationship graph, in one recursive query that
SQLite and PostgreSQL both run.

Upward from an item: everything that fails when it fails (its dependants),
and among them the business services. Downward from a service: everything it
needs (its supporting items). Which end of an edge depends on the other is
set in choices.py. UNION (not UNION ALL) drops rows already reached, so a
cycle ends the walk instead of looping.
"""

from django.db import connection

from opsdesk.core.models import ConfigurationItem

from .choices import BUSINESS_SERVICE, DEPENDANT_IS_SOURCE, DEPENDANT_IS_TARGET
from .models import CiRelationship

UP, DOWN = "up", "down"


def _walk_sql(direction: str, *, typed: bool) -> str:
    # Walking up goes from an edge's dependency end to its dependant end.
    near, far = ("target_id", "source_id") if direction == UP else ("source_id", "target_id")
    edges = connection.ops.quote_name(CiRelationship._meta.db_table)
    items = connection.ops.quote_name(ConfigurationItem._meta.db_table)
    source_kinds = ", ".join(["%s"] * len(DEPENDANT_IS_SOURCE))
    target_kinds = ", ".join(["%s"] * len(DEPENDANT_IS_TARGET))
    select = "SELECT reached.id FROM reached WHERE reached.id <> %s"
    if typed:
        select = (f"SELECT reached.id FROM reached JOIN {items} item ON item.id = reached.id "
                  f"WHERE reached.id <> %s AND item.type_id = %s")
    return f"""
        WITH RECURSIVE reached(id) AS (
            SELECT CAST(%s AS BIGINT)
            UNION
            SELECT CASE WHEN edge.kind IN ({source_kinds}) THEN edge.{far} ELSE edge.{near} END
            FROM reached JOIN {edges} edge
              ON (edge.{near} = reached.id AND edge.kind IN ({source_kinds}))
              OR (edge.{far} = reached.id AND edge.kind IN ({target_kinds}))
        )
        {select}
    """


def _reached(ci_id: int, direction: str, item_type: str | None = None) -> list[int]:
    source_kinds, target_kinds = list(DEPENDANT_IS_SOURCE), list(DEPENDANT_IS_TARGET)
    params = [ci_id, *source_kinds, *source_kinds, *target_kinds, ci_id]
    if item_type is not None:
        params.append(item_type)
    with connection.cursor() as cursor:
        cursor.execute(_walk_sql(direction, typed=item_type is not None), params)
        return [row[0] for row in cursor.fetchall()]


def dependant_ids(ci_id: int) -> list[int]:
    """Every item that fails when this one fails (not the item itself)."""
    return _reached(ci_id, UP)


def supporting_ids(ci_id: int) -> list[int]:
    """Every item this one needs to work (not the item itself)."""
    return _reached(ci_id, DOWN)


def affected_services(ci: ConfigurationItem):
    """The business-service items that depend on `ci`, directly or not."""
    ids = _reached(ci.pk, UP, BUSINESS_SERVICE)
    return ConfigurationItem.objects.filter(pk__in=ids).select_related("business_service")


def supporting_items(ci: ConfigurationItem):
    return ConfigurationItem.objects.filter(pk__in=supporting_ids(ci.pk)).select_related("type")
