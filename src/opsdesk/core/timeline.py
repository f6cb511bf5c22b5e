"""The append-only audit trail shared by every record type.

Each record's events form a hash chain (core/chain.py): every event has the
next `seq` of its record and a hash over its content and its predecessor's
hash. Two transactions appending to one record at once both read the same
predecessor; the unique (subject, seq) lets only one of them write it, and
the other reads the new head and tries again. One event costs one INSERT
(the database fills in seq and hash); a batch costs the same few statements
however large it is.
"""

import functools
import json

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from . import bulk_rows, chain, clock
from .errors import VersionConflict
from .models import TimelineEvent

ATTEMPTS = 20
_TABLE = TimelineEvent._meta.db_table
_FIELDS = ("subject_type", "subject_id", "at", "actor_id", "source", "kind", "changes", "note",
           "public")
_SHA256 = {"postgresql": "encode(sha256(convert_to({}, 'UTF8')), 'hex')",
           "sqlite": "SHA256({})"}  # a function Django registers on SQLite
# One event after its record's newest (if any), or nothing if another
# transaction took that seq first. WHERE true: SQLite's INSERT … SELECT …
# ON CONFLICT needs a WHERE to parse.
_APPEND = (
    f"INSERT INTO {_TABLE} ({', '.join(_FIELDS)}, seq, hash) "
    f"SELECT {', '.join(['%s'] * len(_FIELDS))}, h.seq + 1, "
    "{sha256} FROM (SELECT COALESCE(MAX(seq), 0) AS seq FROM "
    f"{_TABLE} WHERE subject_type = %s AND subject_id = %s) h LEFT JOIN {_TABLE} p "
    "ON p.subject_type = %s AND p.subject_id = %s AND p.seq = h.seq WHERE true "
    "ON CONFLICT (subject_type, subject_id, seq) DO NOTHING RETURNING id, seq, hash"
)
_CANONICAL = "%s || COALESCE(p.hash, '') || %s || CAST(h.seq + 1 AS VARCHAR(10)) || %s"
# The records of a batch, given as one JSON parameter [{"t": type, "i": id}, …].
_SUBJECTS = {
    "postgresql": "SELECT t, i FROM jsonb_to_recordset(%s::jsonb) AS s(t text, i bigint)",
    "sqlite": "SELECT json_extract(value, '$.t') AS t, json_extract(value, '$.i') AS i "
              "FROM json_each(%s)",
}
# Each record's newest event, found through the unique (subject, seq) index.
_HEADS = (
    "WITH s(t, i) AS ({subjects}) SELECT e.subject_type, e.subject_id, e.seq, e.hash "
    f"FROM s JOIN {_TABLE} e ON e.subject_type = s.t AND e.subject_id = s.i "
    f"AND e.seq = (SELECT MAX(m.seq) FROM {_TABLE} m "
    "WHERE m.subject_type = s.t AND m.subject_id = s.i)"
)


def record(
    subject, *, actor, source: str, kind: str, changes: dict | None = None, note: str = "",
    public: bool = False,
) -> TimelineEvent:
    """Append one event about `subject` (a model instance with TIMELINE_TYPE)."""
    event = entry(subject, actor=actor, source=source, kind=kind, changes=changes, note=note,
                  public=public)
    sql = _append_sql(connection.vendor)
    values = [TimelineEvent._meta.get_field(name).get_db_prep_save(getattr(event, name),
                                                                 connection)
              for name in _FIELDS]
    subject_key = [event.subject_type, event.subject_id]
    with connection.cursor() as cursor:
        for _attempt in range(ATTEMPTS):
            cursor.execute(sql, [*values, *chain.template(event), *subject_key, *subject_key])
            row = cursor.fetchone()
            if row is not None:
                event.pk, event.seq, event.hash = row
                event._state.adding, event._state.db = False, connection.alias
                return event
    raise VersionConflict()


@functools.cache
def _append_sql(vendor: str) -> str:
    return _APPEND.format(sha256=_SHA256[vendor].format(_CANONICAL))


def entry(
    subject, *, actor, source: str, kind: str, changes: dict | None = None, note: str = "",
    public: bool = False,
) -> TimelineEvent:
    """The event `record` would append, unsaved: for `record_many`."""
    return TimelineEvent(
        subject_type=subject.TIMELINE_TYPE,
        subject_id=subject.pk,
        at=clock.now(),
        actor=actor,
        source=source,
        kind=kind,
        changes=changes or {},
        note=note,
        public=public,
    )


def lock_subject(subject) -> None:
    """Lock `subject`'s row until the transaction ends. Code that appends to a
    record's timeline without otherwise locking the record calls this first,
    so that two writers of one record queue on its row: queueing instead on
    the chain's next sequence number, a writer that holds the row and one that
    does not can deadlock (the second needs the row later, e.g. for a foreign
    key check at commit)."""
    list(type(subject)._default_manager.select_for_update().filter(pk=subject.pk)
         .values_list("pk", flat=True))


def record_many(events: list[TimelineEvent]) -> list[TimelineEvent]:
    """Append events made with `entry`, each record's in their order, chained
    to their records' histories: one INSERT and three more statements (the
    heads, a savepoint and its release) however many events there are."""
    if not events:
        return events
    for event in events:
        if timezone.is_naive(event.at):
            event.at = timezone.make_aware(event.at)
    # Rows go in record by record, so that two batches meeting on several
    # records wait for each other in one order instead of deadlocking.
    rows = sorted(events, key=lambda event: (event.subject_type, event.subject_id))
    for _attempt in range(ATTEMPTS):
        try:
            with transaction.atomic():
                _chain(events, _heads(events))
                bulk_rows.create(rows)
                return events
        except IntegrityError:
            # Another transaction appended to one of these records first.
            for event in events:
                event.pk = None
    raise VersionConflict()


def _heads(events) -> dict[tuple[str, int], tuple[int, str]]:
    subjects = json.dumps([{"t": t, "i": i} for t, i in
                           {(event.subject_type, event.subject_id): None for event in events}])
    with connection.cursor() as cursor:
        cursor.execute(_HEADS.format(subjects=_SUBJECTS[connection.vendor]), [subjects])
        return {(t, i): (seq, hash_) for t, i, seq, hash_ in cursor.fetchall()}


def _chain(events, heads) -> None:
    for event in events:
        key = (event.subject_type, event.subject_id)
        seq, previous = heads.get(key, (0, chain.GENESIS))
        event.seq = seq + 1
        event.hash = chain.digest(event, previous)
        heads[key] = (event.seq, event.hash)


def events_of(subject, *, public_only: bool = False):
    events = TimelineEvent.objects.filter(
        subject_type=subject.TIMELINE_TYPE, subject_id=subject.pk
    ).select_related("actor")
    if public_only:
        events = events.filter(public=True)
    return events.order_by("id")


def described(events, descriptions: dict, actions) -> list:
    """`events` with a `description` each, for a record page's timeline: the
    wording in `descriptions`, else the label of the action of that name."""
    events = list(events)
    for event in events:
        if event.kind in descriptions:
            event.description = str(descriptions[event.kind])
        elif event.kind in actions.values:
            event.description = str(actions(event.kind).label)
        else:
            event.description = event.kind
    return events
