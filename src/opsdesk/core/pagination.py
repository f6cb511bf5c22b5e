"""Keyset (cursor) pagination: the cost of a page does not grow with its depth.

An ordering is a list of field names with an optional "-" for descending; it
must end with a unique field ("id"). The cursor is the sort values of the last
row shown, opaque to clients.
"""

import base64
import json
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db.models import F, Q, QuerySet
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from django.utils.translation import gettext as _

from .errors import Invalid


@dataclass
class Page:
    items: list
    next_cursor: str | None


def _plain(value):
    return value.isoformat() if isinstance(value, datetime) else value


def _encode(values: list) -> str:
    raw = json.dumps([_plain(v) for v in values])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _bad_cursor() -> Invalid:
    return Invalid(fields={"cursor": _("This cursor is not valid; start from the first page.")})


def _decode(cursor: str, ordering: list[str], model) -> list:
    """The cursor's sort values, typed like the model's fields. A cursor we did
    not issue (edited, truncated, from another sort) is refused, never guessed."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        raw = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except ValueError:
        raise _bad_cursor() from None
    if not isinstance(raw, list) or len(raw) != len(ordering):
        raise _bad_cursor()
    values = []
    for name, value in zip(ordering, raw, strict=True):
        name = name.lstrip("-")
        field = model._meta.pk if name == "pk" else model._meta.get_field(name)
        try:
            typed = field.to_python(value)
        except (ValidationError, TypeError, ValueError):
            raise _bad_cursor() from None
        if (typed is None or isinstance(value, bool) or _plain(typed) != value
                or (isinstance(typed, datetime) and typed.tzinfo is None)):
            raise _bad_cursor()
        values.append(typed)
    return values


def _after(ordering: list[str], values: list) -> Q:
    """Rows strictly after `values` in `ordering`.

    With one direction throughout this is a row comparison, (a, b) > (x, y),
    which PostgreSQL answers by starting an index scan right there: the cost of
    a page stays flat however deep it is. Mixed directions need the expanded
    form (a > x) or (a = x and b < y) …
    """
    names = [field.lstrip("-") for field in ordering]
    descending = {field.startswith("-") for field in ordering}
    if len(descending) == 1:
        lookup = TupleLessThan if descending == {True} else TupleGreaterThan
        return Q(lookup(Tuple(*map(F, names)), values))
    condition = Q()
    for index, (field, name) in enumerate(zip(ordering, names, strict=True)):
        operator = "lt" if field.startswith("-") else "gt"
        equal_prefix = dict(zip(names[:index], values[:index], strict=True))
        condition |= Q(**equal_prefix, **{f"{name}__{operator}": values[index]})
    return condition


def paginate(queryset: QuerySet, ordering: list[str], cursor: str | None, limit: int) -> Page:
    if ordering[-1].lstrip("-") not in {"id", "pk"}:
        raise ValueError("ordering must end with id")
    queryset = queryset.order_by(*ordering)
    if cursor:
        queryset = queryset.filter(_after(ordering, _decode(cursor, ordering, queryset.model)))
    rows = list(queryset[: limit + 1])
    items, more = rows[:limit], len(rows) > limit
    next_cursor = None
    if more:
        last = items[-1]
        next_cursor = _encode([getattr(last, name.lstrip("-")) for name in ordering])
    return Page(items=items, next_cursor=next_cursor)
