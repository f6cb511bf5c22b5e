"""Keyset pagination: walking every page returns every row exactly once, in
order, whatever the ties; a bad cursor is a clear error."""

import base64
import json
from datetime import timedelta

import pytest

from opsdesk.core.errors import Invalid
from opsdesk.core.pagination import paginate
from opsdesk.incidents import actions
from opsdesk.incidents.models import Incident

ORDERINGS = {
    "newest": ["-id"],
    "oldest": ["id"],
    "priority": ["priority", "id"],
    "priority, newest first": ["priority", "-id"],
    "recently updated": ["-updated_at", "-id"],
    "registered, then priority": ["registered_at", "-priority", "id"],
}
URGENCIES = ["critical", "high", "medium", "low"]


@pytest.fixture
def incidents(cast, frozen):
    """23 incidents with many ties on priority and on timestamps, some with
    microseconds, then a few edits so that update order differs from id order."""
    for n in range(23):
        if n % 4 == 0:
            frozen.shift(timedelta(seconds=1, microseconds=123457))
        cast.log(title=f"告警 {n}", urgency=URGENCIES[n % 4], impact="low" if n % 3 else "high")
    for number in ("INC-20261123-0005", "INC-20261123-0017", "INC-20261123-0002"):
        frozen.shift(timedelta(microseconds=1))
        incident = Incident.objects.get(number=number)
        actions.comment(incident, actor=cast.agent_li, source="web", body="跟进", public=False)
    return Incident.objects.all()


def expected_order(rows, ordering):
    ordered = list(rows)
    for field in reversed(ordering):  # stable sorts, least significant key first
        name = field.lstrip("-")
        ordered.sort(key=lambda row, name=name: getattr(row, name),
                     reverse=field.startswith("-"))
    return [row.pk for row in ordered]


def walk(queryset, ordering, limit):
    seen, cursor, pages = [], None, 0
    while True:
        page = paginate(queryset, ordering, cursor, limit)
        seen += [row.pk for row in page.items]
        pages += 1
        assert len(page.items) <= limit
        if page.next_cursor is None:
            return seen, pages
        cursor = page.next_cursor


@pytest.mark.parametrize("ordering", ORDERINGS.values(), ids=ORDERINGS.keys())
@pytest.mark.parametrize("limit", [1, 4, 23, 50])
def test_walking_every_page_returns_every_row_once_in_order(incidents, ordering, limit):
    seen, pages = walk(incidents, ordering, limit)
    assert seen == expected_order(incidents, ordering)
    assert pages == max(1, -(-23 // limit))


def test_the_data_really_has_ties(incidents):
    assert len({row.priority for row in incidents}) < 5
    assert len({row.registered_at for row in incidents}) < 10
    assert any(row.registered_at.microsecond for row in incidents)


def test_a_filtered_walk_stays_filtered(incidents):
    open_p4 = incidents.filter(priority=4)
    seen, _ = walk(open_p4, ["-updated_at", "-id"], 2)
    assert seen == expected_order(open_p4, ["-updated_at", "-id"])


def test_an_empty_queryset_is_one_empty_page(db):
    page = paginate(Incident.objects.all(), ["-id"], None, 10)
    assert (page.items, page.next_cursor) == ([], None)


def test_rows_added_at_the_front_do_not_shift_a_deeper_page(incidents, cast):
    first = paginate(incidents, ["id"], None, 5)
    cast.log(title="新告警")
    second = paginate(Incident.objects.all(), ["id"], first.next_cursor, 5)
    assert [row.pk for row in second.items] == expected_order(incidents, ["id"])[5:10]


def encoded(value) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


BAD_CURSORS = {
    "not base64": "!!!",
    "not json": base64.urlsafe_b64encode(b"\xff\xfe{").decode(),
    "not a list": encoded({"id": 3}),
    "too short": encoded([3]),
    "too long": encoded([3, "2026-11-23T02:00:00+00:00", 4]),
    "a word for a number": encoded([3, "abc"]),
    "a null": encoded([None, 4]),
    "a nested list": encoded([[3], 4]),
    "a fraction": encoded([3, 4.5]),
}


@pytest.mark.parametrize("cursor", BAD_CURSORS.values(), ids=BAD_CURSORS.keys())
def test_a_bad_cursor_is_invalid_input(incidents, cursor):
    with pytest.raises(Invalid) as raised:
        paginate(incidents, ["priority", "id"], cursor, 5)
    assert set(raised.value.fields) == {"cursor"}


@pytest.mark.parametrize("time", ["yesterday", 7, "2026-11-23T02:00:00", "2026-13-45T02:00Z"])
def test_a_bad_time_in_a_cursor_is_invalid_input(incidents, time):
    cursor = encoded([time, 4])
    with pytest.raises(Invalid):
        paginate(incidents, ["-updated_at", "-id"], cursor, 5)


def test_an_ordering_must_end_with_the_id():
    with pytest.raises(ValueError, match="id"):
        paginate(Incident.objects.all(), ["priority"], None, 5)
