"""From the rows of an export to ticket histories: each row one event in our
terms, the events of one ticket (same key column) folded together in file
order. Nothing is written here; every problem goes into the Findings.

An event is fingerprinted by the bytes of its row, so an import knows which
events it has applied whatever the order or the extent of a later export."""

import hashlib
import operator
import string
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from opsdesk.incidents.choices import Channel, ClosureCode, Kind, Status, WaitingOn
from opsdesk.sla.choices import Impact, Priority, Urgency

from .lookups import PATH_SEPARATOR, Lookups
from .mapping import BOOL, COUNT, ENTITY, FIELD_KINDS, PERSON, PRIORITY, TEXT, TIME, Mapping
from .reading import Findings, Row, parse_bool, parse_time

CHOICES = {"kind": Kind, "channel": Channel, "impact": Impact, "urgency": Urgency,
           "closure_code": ClosureCode}
STATUS_VALUES = frozenset(
    [*Status.values, *(f"{Status.PENDING}:{who}" for who in WaitingOn.values)])
TEXT_LIMITS = {"title": 200, "reporter_name": 100, "reporter_phone": 40, "reporter_email": 254,
               "system_type": 100, "failure_vendor": 100}
UNSET = object()


@dataclass
class Event:
    line: int
    at: datetime
    digest: str
    source_status: str
    values: dict


@dataclass
class Ticket:
    key: str
    events: list[Event] = field(default_factory=list)

    @property
    def last(self) -> Event:
        return self.events[-1]


def digest(row: Row) -> str:
    return hashlib.sha1("\x1f".join(row.raw).encode()).hexdigest()[:16]


class Converter:
    """Turns one row's cells into our values. Conversions are memoised per
    field and source value: an export repeats the same few values (and the
    same dates within a ticket) on thousands of rows."""

    def __init__(self, mapping: Mapping, header: list[str], lookups: Lookups,
                 findings: Findings):
        self.mapping = mapping
        self.header = header
        used = mapping.columns()
        self.present = sorted(used & set(header))
        self.pick_present = _picker([header.index(column) for column in self.present])
        # Mapped columns the file lacks read as empty (the importer says so).
        self.absent = dict.fromkeys(sorted(used - set(header)), "")
        self.lookups = lookups
        self.findings = findings
        # Per field: its column (None if several), its columns, its memo of conversions.
        self.steps = [(name, columns[0] if len(columns) == 1 else None, columns, {})
                      for name, columns in mapping.fields.items()]
        self.templates = []
        for name, text in mapping.templates.items():
            lines = _compile(text)
            self.templates.append((name, lines, {}, _picker(
                [column for _line, columns in lines for column in columns])))

    def event(self, row: Row) -> Event | None:
        if not row.complete:
            self.findings.error(row.line, "", _("%(found)s cells where the header has "
                                                "%(expected)s")
                                % {"found": len(row.raw), "expected": len(self.header)})
            return None
        empty = self.mapping.empty
        cells = {column: "" if (text := value.strip()) in empty else text
                 for column, value in zip(self.present, self.pick_present(row.raw),
                                          strict=True)}
        cells.update(self.absent)
        values, ok = {}, True
        for name, column, columns, memo in self.steps:
            raw = (cells[column] if column
                   else PATH_SEPARATOR.join(cells[c] for c in columns if cells[c]))
            if not raw:
                continue
            value = memo.get(raw, UNSET)
            if value is UNSET:
                value = memo[raw] = self._convert(name, raw)
                if FIELD_KINDS[name] == PERSON and value[1] is None:
                    self.findings.unmatched_people.add((columns[0], raw))
            if value.__class__ is Problem:
                ok = False
                value.report(self.findings, row.line, name, "+".join(columns), raw)
                continue
            values[name] = value
        for name, default in self.mapping.defaults.items():
            values.setdefault(name, default)
        for name, lines, memo, pick in self.templates:
            key = pick(cells)
            text = memo.get(key)
            if text is None:
                text = memo[key] = _render(lines, cells, TEXT_LIMITS.get(name))
            values[name] = text
        if not values.get("key"):
            self.findings.error(row.line, self.mapping.fields["key"][0],
                                _("the ticket key is empty"))
            return None
        at = values.get("event_at") or values.get("registered_at") or values.get("occurred_at")
        for name in ("status", "impact", "urgency", "channel"):
            if name not in values and ok:
                ok = False
                self.findings.error(row.line, ",".join(self.mapping.fields.get(name, [name])),
                                    _("this field is required"))
        if at is None and ok:
            ok = False
            self.findings.error(row.line, "", _("no time for this event"))
        if not ok:
            return None
        status_columns = self.mapping.fields.get("status")
        source_status = cells[status_columns[0]] if status_columns else values["status"]
        return Event(row.line, at, digest(row), source_status, values)

    def _convert(self, name: str, raw: str):
        mapped = self._mapped(name, raw)
        kind = FIELD_KINDS[name]
        if kind == TEXT:
            limit = TEXT_LIMITS.get(name)
            return mapped[:limit] if limit else mapped
        if kind == TIME:
            value = parse_time(mapped, self.mapping.date_formats, self.mapping.zone)
            return value or Problem(_("“%(value)s” is not a date and time (expected %(formats)s)")
                                    % {"value": raw, "formats": " / ".join(
                                        [*self.mapping.date_formats, "ISO 8601"])})
        if kind == COUNT:
            return int(mapped) if mapped.isdigit() else Problem(
                _("“%(value)s” is not a whole number") % {"value": raw})
        if kind == BOOL:
            value = parse_bool(mapped)
            return value if value is not None else Problem(
                _("“%(value)s” is not true or false") % {"value": raw})
        if kind == PERSON:
            return (mapped, self.lookups.person(mapped))
        if kind == ENTITY:
            return mapped if self.lookups.accepts(name, mapped) else Problem(unknown=True)
        if kind == PRIORITY:
            return int(mapped) if mapped in {str(p) for p in Priority.values} else \
                Problem(unknown=True)
        allowed = STATUS_VALUES if name == "status" else CHOICES[name].values
        return mapped if mapped in allowed else Problem(unknown=True)

    def _mapped(self, name: str, raw: str) -> str:
        table = self.mapping.values.get(name, {})
        if raw in table:
            return table[raw]
        if name == "category":  # a mapped parent keeps the rest of the path
            parts = raw.split(PATH_SEPARATOR)
            for size in range(len(parts) - 1, 0, -1):
                prefix = PATH_SEPARATOR.join(parts[:size])
                if prefix in table:
                    return PATH_SEPARATOR.join([table[prefix], *parts[size:]])
        return raw


class Problem:
    """A value that could not be converted: malformed, or unknown here."""

    def __init__(self, message: str = "", *, unknown: bool = False):
        self.message = message
        self.unknown = unknown

    def report(self, findings: Findings, line: int, name: str, column: str, raw: str) -> None:
        if self.unknown:
            findings.unknown[(name, column, raw)].append(line)
        else:
            findings.error(line, column, self.message)


def _picker(keys: list) -> Callable[[Any], tuple]:
    """The items at `keys` of a sequence or mapping, always as a tuple."""
    if len(keys) == 1:
        return lambda items, key=keys[0]: (items[key],)
    return operator.itemgetter(*keys) if keys else lambda items: ()


def _compile(template: str) -> list[tuple[str, list[str]]]:
    """A template's lines, each with the columns it names."""
    return [(line, [name for _t, name, _s, _c in string.Formatter().parse(line) if name])
            for line in template.splitlines()]


def _render(lines: list[tuple[str, list[str]]], cells: dict, limit: int | None) -> str:
    """Lines whose columns are all empty are left out."""
    kept = [line.format_map(cells) for line, names in lines
            if not names or any(cells.get(name) for name in names)]
    text = "\n".join(kept).strip()
    return text[:limit] if limit else text


def fold(rows: Iterable[Row], converter: Converter) -> list[Ticket]:
    """The tickets of the file, in the order they first appear, each with its
    events in file order (an audit export lists them as they happened)."""
    tickets: dict[str, Ticket] = {}
    for row in rows:
        event = converter.event(row)
        if event is not None:
            key = event.values["key"]
            ticket = tickets.get(key)
            if ticket is None:
                ticket = tickets[key] = Ticket(key)
            ticket.events.append(event)
    for ticket in tickets.values():
        last = ticket.last.values
        if last["status"] == Status.CLOSED and not last.get("closure_code"):
            converter.findings.error(ticket.last.line, ",".join(
                converter.mapping.fields.get("closure_code", ["closure_code"])),
                _("ticket %(key)s is closed without a closure code; map one, or give a "
                  "default in the mapping ([defaults] closure_code = …)") % {"key": ticket.key})
    return list(tickets.values())
