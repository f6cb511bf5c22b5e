"""The hash chain that makes each record's timeline tamper-evident.

Every event carries `seq` (1, 2, 3 … within its record) and `hash`, the
SHA-256 (lower-case hex) of this UTF-8 JSON document, written with sorted
keys, no spaces and non-ASCII characters as they are (Python:
``json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``):

    {"actor": 7 or null, "at": "2026-11-23T02:00:00.000000Z", "changes": {…},
     "kind": "assigned", "note": "…", "previous": "<hash of seq - 1>",
     "public": false, "seq": 3, "source": "web", "subject": "incident:42"}

`at` is in UTC with microseconds; `previous` is "" for a record's first
event; in `changes`, a number without a fractional part is written as an
integer (1.0 → 1), because PostgreSQL's jsonb does not keep the difference.
Changing, deleting, inserting or reordering an event breaks the chain at
that event. This module is pure: no database, so an auditor's copy of the
export can be checked with it (or with the document above) offline.
"""

import hashlib
import json
from datetime import UTC, datetime

GENESIS = ""
# Stand-ins for the values a database fills into a `template`.
_PREVIOUS, _SEQ = "\x00previous", "\x00seq"
_CANONICAL_JSON = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest(event, previous: str) -> str:
    """The hash of `event` (anything with the timeline fields as attributes,
    `seq` included) when it follows an event whose hash is `previous`."""
    text = canonical(event, seq=event.seq, previous=previous)
    return hashlib.sha256(text.encode()).hexdigest()


def canonical(event, *, seq, previous) -> str:
    document = {
        "subject": f"{event.subject_type}:{event.subject_id}",
        "seq": seq,
        "at": utc_text(event.at),
        "actor": event.actor_id,
        "source": str(event.source),
        "kind": str(event.kind),
        "changes": _plain_numbers(event.changes),
        "note": str(event.note),
        "public": bool(event.public),
        "previous": previous,
    }
    return _CANONICAL_JSON.encode(document)


def template(event) -> tuple[str, str, str]:
    """The canonical text of `event` in three pieces, for a database that
    knows the previous hash and the seq: head + previous + middle + seq + tail."""
    text = canonical(event, seq=_SEQ, previous=_PREVIOUS)
    # JSON escapes the NUL of the stand-ins and any quote inside a value, so
    # each quoted stand-in occurs exactly once.
    head, rest = text.split(json.dumps(_PREVIOUS))
    middle, tail = rest.split(json.dumps(_SEQ))
    return head + '"', '"' + middle, tail


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def _plain_numbers(value):
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        # Keys as json.dumps writes them: 1 → "1", True → "true".
        return {key if isinstance(key, str) else json.dumps(key): _plain_numbers(item)
                for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain_numbers(item) for item in value]
    return value
