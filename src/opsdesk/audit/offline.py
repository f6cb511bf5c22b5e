"""Checking an export file (CSV or JSON Lines, as export.py writes it)
without the database: every row against its own hash, and each row's
`previous_hash` against the row before it in the file, when that is there."""

import csv
import io
import json
from datetime import datetime
from types import SimpleNamespace

from django.utils.translation import gettext as _

from opsdesk.core import chain

from .verify import ALTERED, MISSING, REORDERED, Break, Report


class UnreadableExport(ValueError):
    pass


def check_file(content: bytes) -> Report:
    report = Report()
    heads: dict[tuple[str, int], tuple[int, str]] = {}
    for number, row in enumerate(_rows(content), start=2):
        event = _event(row, number)
        key = (event.subject_type, event.subject_id)
        report.events += 1
        if key not in heads:
            report.records += 1
        problem, missing = _problem(event, heads.get(key))
        if problem:
            report.breaks.append(Break(event.subject_type, event.subject_id, event.id,
                                       event.seq, event.kind, problem, missing))
        heads[key] = (event.seq, event.hash)
    return report


def _problem(event, head: tuple[int, str] | None) -> tuple[str | None, int]:
    """What is wrong with a row, given the record's row before it in the file.
    The events of a period follow each other within each record, so a seq
    skipped between two rows is a row taken out."""
    if head is not None:
        if event.seq <= head[0]:
            return REORDERED, 0
        if event.seq > head[0] + 1:
            return MISSING, event.seq - head[0] - 1
        if event.previous_hash != head[1]:
            return ALTERED, 0
    if chain.digest(event, event.previous_hash) != event.hash:
        return ALTERED, 0
    return None, 0


def label(subject_type: str, subject_id: int) -> str:
    return f"{subject_type} #{subject_id}"


def _rows(content: bytes):
    text = content.decode("utf-8-sig")
    if text.lstrip().startswith("{"):
        for line in text.splitlines():
            if line.strip():
                yield json.loads(line)
        return
    for row in csv.DictReader(io.StringIO(text)):
        row["changes"] = json.loads(row["changes"] or "{}")
        row["public"] = row["public"] == "true"
        row["actor_id"] = row["actor_id"] or None
        yield row


def _event(row: dict, number: int) -> SimpleNamespace:
    try:
        return SimpleNamespace(
            id=int(row["id"]), subject_type=row["subject_type"],
            subject_id=int(row["subject_id"]), seq=int(row["seq"]),
            at=datetime.fromisoformat(row["at"]),
            actor_id=int(row["actor_id"]) if row["actor_id"] is not None else None,
            source=row["source"], kind=row["kind"], changes=row["changes"], note=row["note"],
            public=bool(row["public"]), previous_hash=row["previous_hash"], hash=row["hash"])
    except (KeyError, TypeError, ValueError) as error:
        raise UnreadableExport(_("Row %(number)s is not an export row: %(error)s") % {
            "number": number, "error": error}) from None
