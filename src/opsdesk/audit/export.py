"""The timeline of a period as CSV (UTF-8 with BOM, for Excel) or JSON Lines,
streamed a chunk at a time. Each row carries the fields its hash covers, in
the form core/chain.py hashes them, and the hash it chains to, so that an
auditor can re-check every row offline (`opsdesk audit verify --file`)."""

import csv
import io
import json
from itertools import islice

from django.utils.translation import gettext as _

from opsdesk.core import chain
from opsdesk.core.errors import Invalid

from .subjects import subject_models

FORMATS = ("csv", "jsonl")
COLUMNS = ("id", "subject_type", "subject_id", "record", "seq", "at", "actor_id", "actor",
           "source", "kind", "changes", "note", "public", "previous_hash", "hash")
CHUNK = 2_000
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson"}


def check_format(file_format: str) -> None:
    if file_format not in FORMATS:
        raise Invalid(fields={"format": _("Choose one of: %(options)s.") % {
            "options": ", ".join(FORMATS)}})


def rows(events):
    """Each event of the queryset as a dict of COLUMNS."""
    iterator = events.iterator(chunk_size=CHUNK)
    while chunk := list(islice(iterator, CHUNK)):
        names = _record_names(chunk)
        for event in chunk:
            yield {
                "id": event.id, "subject_type": event.subject_type,
                "subject_id": event.subject_id,
                "record": names.get((event.subject_type, event.subject_id), ""),
                "seq": event.seq, "at": chain.utc_text(event.at), "actor_id": event.actor_id,
                "actor": event.actor.username if event.actor else "", "source": event.source,
                "kind": event.kind, "changes": event.changes, "note": event.note,
                "public": event.public, "previous_hash": event.previous_hash,
                "hash": event.hash,
            }


def _record_names(events) -> dict:
    """(type, id) → the record's number or name, one query per record type."""
    wanted: dict[str, set[int]] = {}
    for event in events:
        wanted.setdefault(event.subject_type, set()).add(event.subject_id)
    models = subject_models()
    names = {}
    for subject_type, ids in wanted.items():
        model = models.get(subject_type)
        if model is None:
            continue
        for record in model.objects.filter(pk__in=ids):
            names[(subject_type, record.pk)] = getattr(record, "number", None) or str(record)
    return names


def lines(rows, file_format: str):
    return _csv_lines(rows) if file_format == "csv" else _jsonl_lines(rows)


def _csv_lines(rows):
    yield "\ufeff"
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_cell(row[column]) for column in COLUMNS])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def _cell(value) -> str:
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _jsonl_lines(rows):
    for row in rows:
        yield json.dumps(row, ensure_ascii=False) + "\n"
