"""Keyset (cursor) pagination: the cost of a page does not grow with its depth.

An ordering is a list of field names with an optional "-" for descending; it
must end with a unique field ("id"). The cursor is the sort values of the last
row shown, opaque to clients.
"""

import base64
import json
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from .errors import Invalid


@dataclass
class Page:
    items: list
    next_cursor: str | None


def _encode(values: list) -> str:
    raw = json.dumps([v.isoformat() if isinstance(v, datetime) else v for v in values])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str, ordering: list[str]) -> list:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(values, list) or len(values) != len(ordering):
            raise ValueError
    except ValueError:
        raise Invalid(fields={"cursor": _("This cursor is not valid; start from the first page.")}
                      ) from None
    return values


def _after(ordering: list[str], values: list) -> Q:
    """Rows strictly after `values` in `ordering`: (a > x) or (a = x and b > y) …"""
    condition = Q()
    for index, field in enumerate(ordering):
        name = field.lstrip("-")
        operator = "lt" if field.startswith("-") else "gt"
        equal_prefix = {ordering[i].lstrip("-"): values[i] for i in range(index)}
        condition |= Q(**equal_prefix, **{f"{name}__{operator}": values[index]})
    return condition


def paginate(queryset: QuerySet, ordering: list[str], cursor: str | None, limit: int) -> Page:
    if ordering[-1].lstrip("-") not in {"id", "pk"}:
        raise ValueError("ordering must end with id")
    date_fields = {
        f.name for f in queryset.model._meta.get_fields()
        if getattr(f, "get_internal_type", lambda: "")() == "DateTimeField"
    }
    queryset = queryset.order_by(*ordering)
    if cursor:
        values = [
            parse_datetime(value) if name.lstrip("-") in date_fields else value
            for name, value in zip(ordering, _decode(cursor, ordering), strict=True)
        ]
        queryset = queryset.filter(_after(ordering, values))
    rows = list(queryset[: limit + 1])
    items, more = rows[:limit], len(rows) > limit
    next_cursor = None
    if more:
        last = items[-1]
        next_cursor = _encode([getattr(last, name.lstrip("-")) for name in ordering])
    return Page(items=items, next_cursor=next_cursor)
