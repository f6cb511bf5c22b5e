"""`bulk_create` for the set-wise paths that write hundreds of rows per
transaction (the SLA sweep's timeline events and notifications).

On PostgreSQL the rows go in with COPY: primary keys are drawn from the
table's sequence first (one statement), then the rows are streamed with them.
Django's bulk_create spent more time preparing and quoting a few thousand
parameters, and PostgreSQL parsing them, than the rows took to write
(bench/README.md, SLA). Values pass to the driver as they are, except for
fields whose database value differs from the Python one (JSON, …): those go
through the field's `get_db_prep_save` as in bulk_create. Other databases get
bulk_create itself.

Errors are Django's (a duplicate key is an IntegrityError), and both
statements show in `connection.queries` like any other.
"""

from django.db import connection
from django.db.models import Model

# Field types whose Python value the PostgreSQL driver writes as is.
AS_IS = frozenset({
    "AutoField", "BigAutoField", "BigIntegerField", "BooleanField", "CharField",
    "DateTimeField", "ForeignKey", "IntegerField", "PositiveIntegerField",
    "PositiveSmallIntegerField", "SmallIntegerField", "TextField",
})


def create(objs: list[Model]) -> list[Model]:
    """Insert unsaved instances of one model (one table, an auto-incremented
    key), in order; sets their primary keys like bulk_create, returns them."""
    if not objs:
        return objs
    model = type(objs[0])
    if connection.vendor != "postgresql":
        return model._default_manager.bulk_create(objs)
    meta = model._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    prepare = [field.get_internal_type() not in AS_IS for field in fields]
    with connection.cursor() as cursor, connection.wrap_database_errors:
        keys = _new_keys(cursor, meta.db_table, meta.pk.column, len(objs))
        copy = (f"COPY {_quote(meta.db_table)} "
                f"({', '.join(_quote(f.column) for f in [meta.pk, *fields])}) FROM STDIN")
        with cursor.copy(copy) as stream:
            for key, obj in zip(keys, objs, strict=True):
                stream.write_row([key, *map(_db_value, fields, prepare, [obj] * len(fields))])
    for key, obj in zip(keys, objs, strict=True):
        obj.pk = key
        obj._state.adding, obj._state.db = False, connection.alias
    return objs


def _new_keys(cursor, table: str, column: str, count: int) -> list[int]:
    cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) "
                   "FROM generate_series(1, %s)", [table, column, count])
    return sorted(key for (key,) in cursor.fetchall())


def _db_value(field, prepare: bool, obj: Model):
    value = field.pre_save(obj, True)
    return field.get_db_prep_save(value, connection) if prepare else value


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)
