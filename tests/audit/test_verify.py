"""`verify` walks every chain and names each break, whichever way the rows
were tampered with through raw SQL: changed, deleted, inserted, reordered."""

from datetime import timedelta

from django.utils import translation

from opsdesk.audit.verify import ALTERED, MISSING, REORDERED, verify
from opsdesk.core import chain, timeline

from .conftest import chain_of, sql, worked


def verified(**filters):
    return verify(**filters)


def breaks(**filters) -> list[tuple[int, str, int]]:
    return [(b.event_id, b.problem, b.missing) for b in verify(**filters).breaks]


def test_a_clean_database_is_ok(cast, frozen):
    worked(cast, frozen)
    worked(cast, frozen, title="邮件系统无法登录")
    timeline.record(cast.ci, actor=None, source="cli", kind="created")
    report = verify()
    assert report.ok
    assert (report.records, report.events) == (3, 9)


def test_a_changed_note_is_named(incident):
    third = chain_of(incident)[2]
    sql("UPDATE {table} SET note = %s WHERE id = %s", ["已接收（改过）", third.pk])
    assert breaks() == [(third.pk, ALTERED, 0)]
    with translation.override("en"):
        [line] = verify().lines()
    assert line == (f"incident {incident.number} (#{incident.pk}): Event {third.pk} (no. 3, "
                    "accepted) does not match its hash: it was changed, or inserted by hand.")


def test_every_covered_field_is_protected(incident, cast):
    second = chain_of(incident)[1]
    changes = [("at", "at + INTERVAL '1 second'" if _pg() else "datetime(at, '+1 second')"),
               ("actor_id", str(cast.lead_wang.pk)), ("source", "'api'"),
               ("kind", "'resolved'"), ("public", "NOT public"),
               ("changes", "'{}'"), ("subject_id", "subject_id"), ("seq", "seq")]
    for column, value in changes:
        original = sql_value(column, second.pk)
        sql(f"UPDATE {{table}} SET {column} = {value} WHERE id = %s", [second.pk])
        found = breaks()
        if column in ("subject_id", "seq"):  # unchanged: a control
            assert found == []
        else:
            assert found == [(second.pk, ALTERED, 0)], column
        restore(column, original, second.pk)
        assert breaks() == [], column


def sql_value(column, pk):
    from django.db import connection
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM core_timelineevent WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def restore(column, value, pk):
    sql(f"UPDATE {{table}} SET {column} = %s WHERE id = %s", [value, pk])


def _pg() -> bool:
    from django.db import connection
    return connection.vendor == "postgresql"


def test_a_deleted_event_is_named_at_the_one_after_it(incident):
    events = chain_of(incident)
    sql("DELETE FROM {table} WHERE id = %s", [events[1].pk])
    assert breaks() == [(events[2].pk, MISSING, 1)]


def test_deleting_the_first_events_is_seen(incident):
    events = chain_of(incident)
    sql("DELETE FROM {table} WHERE id IN (%s, %s)", [events[0].pk, events[1].pk])
    assert breaks() == [(events[2].pk, MISSING, 2)]
    with translation.override("en"):
        assert verify().lines()[0].endswith(
            f"2 events before event {events[2].pk} (no. 3) are missing: deleted.")


def test_an_event_inserted_at_the_end_is_seen(incident):
    last = chain_of(incident)[-1]
    sql("INSERT INTO {table} (subject_type, subject_id, at, actor_id, source, kind, changes, "
        "note, public, seq, hash) SELECT subject_type, subject_id, at, actor_id, source, "
        "'resolved', changes, '已解决', public, seq + 1, hash FROM {table} WHERE id = %s",
        [last.pk])
    forged = chain_of(incident)[-1]
    assert breaks() == [(forged.pk, ALTERED, 0)]


def test_an_event_inserted_in_the_middle_is_seen(incident):
    events = chain_of(incident)
    # Make room after no. 2, renumbering the rest, and slip a copy of no. 2 in.
    sql("UPDATE {table} SET seq = seq + 100 WHERE subject_id = %s AND seq > 2", [incident.pk])
    sql("UPDATE {table} SET seq = seq - 99 WHERE subject_id = %s AND seq > 100", [incident.pk])
    sql("INSERT INTO {table} (subject_type, subject_id, at, actor_id, source, kind, changes, "
        "note, public, seq, hash) SELECT subject_type, subject_id, at, actor_id, source, kind, "
        "changes, note, public, 3, hash FROM {table} WHERE id = %s", [events[1].pk])
    found = breaks()
    inserted = chain_of(incident)[2]
    assert (inserted.pk, REORDERED, 0) in found or (inserted.pk, ALTERED, 0) in found
    assert {event_id for event_id, _problem, _n in found} >= {inserted.pk, events[2].pk,
                                                              events[3].pk}


def test_swapped_events_are_seen(incident):
    events = chain_of(incident)
    second, third = events[1], events[2]
    sql("UPDATE {table} SET seq = 99 WHERE id = %s", [second.pk])
    sql("UPDATE {table} SET seq = 2 WHERE id = %s", [third.pk])
    sql("UPDATE {table} SET seq = 3 WHERE id = %s", [second.pk])
    # The event after them chained to the third one's hash, not the second's.
    assert breaks() == [(third.pk, ALTERED, 0), (second.pk, REORDERED, 0),
                        (events[3].pk, ALTERED, 0)]


def test_a_change_with_a_recomputed_hash_breaks_the_next_link(incident):
    events = chain_of(incident)
    forged = events[1]
    forged.note = "转二线（改过）"
    new_hash = chain.digest(forged, events[0].hash)
    sql("UPDATE {table} SET note = %s, hash = %s WHERE id = %s",
        [forged.note, new_hash, forged.pk])
    assert breaks() == [(events[2].pk, ALTERED, 0)]


def test_filters_by_type_and_by_recent_activity(cast, frozen):
    old = worked(cast, frozen)
    frozen.shift(timedelta(days=10))
    recent = worked(cast, frozen, title="邮件系统无法登录")
    timeline.record(cast.ci, actor=None, source="cli", kind="created")
    sql("UPDATE {table} SET note = 'x' WHERE subject_type = 'incident' AND subject_id = %s "
        "AND seq = 1", [old.pk])
    assert verify(subject_type="ci").ok
    assert (verify(subject_type="ci").records, verify(subject_type="ci").events) == (1, 1)
    since = recent.registered_at - timedelta(hours=1)
    report = verify(since=since)
    assert report.ok and (report.records, report.events) == (2, 5)
    assert [b.subject_id for b in verify(subject_type="incident").breaks] == [old.pk]
