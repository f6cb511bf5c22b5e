"""`opsdesk import calls FILE.csv`: a telephony system's call export.

The default columns are our field names (DEFAULT_COLUMNS, `call_id` for the
call's ID); a mapping file (TOML) renames them and gives the source name,
encoding, delimiter, date formats and direction words:

    source = "avaya"
    encoding = "gbk"
    date_formats = ["%Y/%m/%d %H:%M:%S"]
    [columns]
    external_id = "呼叫编号"
    offered_at = "振铃时间"
    [values.direction]
    "呼入" = "inbound"

Idempotent like the API: a call already stored (same source and ID) is
updated when the file says something else, and left alone otherwise."""

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _

from opsdesk.core.errors import Invalid
from opsdesk.imports.mapping import delimiter_from, overlay, zone_named
from opsdesk.imports.reading import Findings, UnreadableFile, decode, parse_time, rows

from .actions import CREATED, UNCHANGED, UPDATED, CallDraft, record_calls

DEFAULT_COLUMNS = {
    "external_id": "call_id", "direction": "direction", "caller_number": "caller_number",
    "caller_name": "caller_name", "customer": "customer", "offered_at": "offered_at",
    "answered_at": "answered_at", "answer_seconds": "answer_seconds", "ended_at": "ended_at",
    "agent": "agent", "agent_name": "agent_name", "incident": "incident",
}
REQUIRED = ("external_id", "offered_at")
TIMES = ("offered_at", "answered_at", "ended_at")
DEFAULTS = {
    "source": "telephony", "encoding": "utf-8", "delimiter": ",",
    "date_formats": ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S"],
    "columns": DEFAULT_COLUMNS,
    "values": {"direction": {"in": "inbound", "out": "outbound", "呼入": "inbound",
                             "呼出": "outbound"}},
}


@dataclass
class CallsMapping:
    source: str
    encoding: str
    delimiter: str
    date_formats: list[str]
    zone: ZoneInfo
    columns: dict[str, str]
    directions: dict[str, str] = field(default_factory=dict)


@dataclass
class CallsOutcome:
    findings: Findings
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def load_calls_mapping(path: Path | None, *, source: str | None = None) -> CallsMapping:
    data = DEFAULTS
    if path is not None:
        try:
            data = overlay(DEFAULTS, tomllib.loads(path.read_text("utf-8-sig")))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            raise UnreadableFile(_("Cannot read the mapping %(file)s: %(error)s")
                                 % {"file": path, "error": error}) from None
    unknown = sorted(set(data["columns"]) - set(DEFAULT_COLUMNS))
    if unknown:
        raise UnreadableFile(_("Mapping: unknown field “%(field)s”.") % {"field": unknown[0]})
    return CallsMapping(
        source=source or str(data["source"]), encoding=str(data["encoding"]),
        delimiter=delimiter_from(data["delimiter"]), date_formats=list(data["date_formats"]),
        zone=zone_named(data.get("timezone", settings.TIME_ZONE)),
        columns=dict(data["columns"]), directions=dict(data["values"].get("direction", {})))


def import_calls(content: bytes, mapping: CallsMapping, *, dry_run: bool) -> CallsOutcome:
    header, records = rows(decode(content, mapping.encoding), mapping.delimiter,
                           {mapping.columns[name] for name in REQUIRED})
    present = {name: column for name, column in mapping.columns.items() if column in header}
    findings = Findings()
    drafts, lines = [], []
    for row in records:
        if row.cells is None:
            findings.error(row.line, "", _("%(found)s cells where the header has %(expected)s")
                           % {"found": len(row.raw), "expected": len(header)})
            continue
        draft = _draft(row, present, mapping, findings)
        if draft is not None:
            drafts.append(draft)
            lines.append(row.line)
    outcome = CallsOutcome(findings)
    if findings.blocking:
        return outcome
    try:
        results = record_calls(drafts, actor=None, dry_run=dry_run)
    except Invalid as invalid:
        for name, message in invalid.fields.items():
            index, _sep, field_name = name.partition(".")
            findings.error(lines[int(index)], present.get(field_name, field_name), message)
        return outcome
    outcomes = [outcome_name for _record, outcome_name in results]
    outcome.created, outcome.updated, outcome.unchanged = (
        outcomes.count(CREATED), outcomes.count(UPDATED), outcomes.count(UNCHANGED))
    return outcome


def _draft(row, present: dict, mapping: CallsMapping, findings: Findings) -> CallDraft | None:
    cells = {name: row.cells[column].strip() for name, column in present.items()}
    values, ok = {}, True
    for name in TIMES:
        if cells.get(name):
            values[name] = parse_time(cells[name], mapping.date_formats, mapping.zone)
            if values[name] is None:
                ok = False
                findings.error(row.line, present[name],
                               _("“%(value)s” is not a date and time (expected %(formats)s)")
                               % {"value": cells[name],
                                  "formats": " / ".join([*mapping.date_formats, "ISO 8601"])})
    seconds = cells.get("answer_seconds", "")
    if seconds:
        if not seconds.isdigit():
            findings.error(row.line, present["answer_seconds"],
                           _("“%(value)s” is not a whole number") % {"value": seconds})
            return None
        values["answer_seconds"] = int(seconds)
    if not ok:
        return None
    direction = cells.get("direction") or "inbound"
    text = {name: cells.get(name, "") for name in ("external_id", "caller_number",
                                                    "caller_name", "customer", "agent",
                                                    "agent_name", "incident")}
    return CallDraft(source=mapping.source, offered_at=values.get("offered_at"),
                     direction=mapping.directions.get(direction, direction),
                     answered_at=values.get("answered_at"), ended_at=values.get("ended_at"),
                     answer_seconds=values.get("answer_seconds"), **text)
