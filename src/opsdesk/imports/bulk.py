"""Inserting the many new rows of an import (incidents, imported records).

The ids are reserved first, in one statement, then the rows go in with
their ids: with COPY on PostgreSQL, with one prepared INSERT run for every
row (executemany) on SQLite. bulk_create costs several times more here:
its per-value preparation, and on SQLite its 999-parameter statements of
15 incidents each. Either way the instances end up saved, with their
primary keys, as bulk_create leaves them.
"""

import functools
from collections.abc import Callable

from django.db import connection
from django.db.models import Field, Model

# Column types whose Python values (int, str, bool, None) both drivers take
# as they are; any other goes through the field's own preparation.
_PLAIN = frozenset({
    "AutoField", "BigAutoField", "BigIntegerField", "BooleanField", "CharField", "ForeignKey",
    "IntegerField", "OneToOneField", "PositiveBigIntegerField", "PositiveIntegerField",
    "PositiveSmallIntegerField", "SmallIntegerField", "TextField"})
# SQLite: the next id is past both the highest id in the table and the
# highest ever given (AUTOINCREMENT's sqlite_sequence), so an id is never
# reused. The caller's transaction (IMMEDIATE) holds the write lock.
_RESERVE = {
    "postgresql": "SELECT nextval(pg_get_serial_sequence('{table}', '{pk}')) "
                  "FROM generate_series(1, %s)",
    "sqlite": "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = '{table}'), 0), "
              "COALESCE((SELECT MAX({pk}) FROM {table}), 0))",
}


def insert(instances: list[Model]) -> None:
    """Insert new instances of one model (inside the caller's transaction)."""
    if not instances:
        return
    meta = type(instances[0])._meta
    fields = meta.concrete_fields
    quote = connection.ops.quote_name
    table, columns = quote(meta.db_table), ", ".join(quote(field.column) for field in fields)
    with connection.cursor() as cursor:
        for instance, pk in zip(instances, _reserve(cursor, meta, len(instances)), strict=True):
            instance.pk = pk
        rows = _rows(instances, fields)
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(f"INSERT INTO {table} ({columns}) "
                               f"VALUES ({', '.join(['%s'] * len(fields))})", rows)
    for instance in instances:
        instance._state.adding = False
        instance._state.db = connection.alias


def _reserve(cursor, meta, count: int) -> list[int]:
    sql = _RESERVE[connection.vendor].format(table=meta.db_table, pk=meta.pk.column)
    if connection.vendor == "postgresql":
        cursor.execute(sql, [count])
        return [pk for (pk,) in cursor.fetchall()]
    cursor.execute(sql)
    last = cursor.fetchone()[0]
    return list(range(last + 1, last + 1 + count))


def _rows(instances: list[Model], fields: list[Field]):
    attnames = [field.attname for field in fields]
    prepare = [_preparation(field) for field in fields]
    for instance in instances:
        values = instance.__dict__
        yield [values[name] if adapt is None else adapt(values[name])
               for name, adapt in zip(attnames, prepare, strict=True)]


def _preparation(field: Field) -> Callable | None:
    """None when the driver takes the field's Python values as they are."""
    kind = field.get_internal_type()
    # psycopg writes aware datetimes itself; SQLite stores Django's text.
    if kind in _PLAIN or (kind == "DateTimeField" and connection.vendor == "postgresql"):
        return None
    return functools.partial(field.get_db_prep_save, connection=connection)


def new(model: type[Model], values: dict) -> Model:
    """An unsaved instance: `values` by attribute name (`team_id`), the
    other fields at their defaults. Built with positional arguments, Django's
    own fast path (the one from_db takes): keyword arguments cost several
    times more, for the tens of thousands of instances an import makes."""
    names, static, dynamic = _layout(model)
    merged = {**static, **{name: make() for name, make in dynamic if name not in values},
              **values}
    return model(*[merged[name] for name in names])


@functools.cache
def _layout(model: type[Model]) -> tuple[list[str], dict, list[tuple[str, Callable]]]:
    """The fields' attribute names in order, the fixed defaults, and the
    defaults made afresh for each instance (default=dict)."""
    fields = model._meta.concrete_fields
    dynamic = [(field.attname, field.default) for field in fields
               if field.has_default() and callable(field.default)]
    made = {name for name, _make in dynamic}
    return ([field.attname for field in fields],
            {field.attname: field.get_default() for field in fields if field.attname not in made},
            dynamic)
