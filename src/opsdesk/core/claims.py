from django.db import connection
from django.db.models import QuerySet


def claim(queryset: QuerySet, limit: int, *, order_by: tuple[str, ...] = ("pk",)) -> list[int]:
    """Lock up to `limit` primary keys of `queryset` that no other worker holds,
    the first in `order_by` (an order an index gives stops after `limit` rows).

    Call inside a transaction. PostgreSQL skips rows another worker has
    locked (SELECT … FOR UPDATE SKIP LOCKED); SQLite has one writer at a time,
    so the plain select is already exclusive.
    """
    if connection.features.has_select_for_update_skip_locked:
        queryset = queryset.select_for_update(skip_locked=True)
    return list(queryset.order_by(*order_by).values_list("pk", flat=True)[:limit])
