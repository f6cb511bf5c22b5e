"""Walking the hash chains of the timeline (core/chain.py) and naming every
break: an event changed (or inserted by hand), events deleted before one, an
event moved before its predecessor. The walk streams: one ordered pass over
the (subject, seq) index, a chunk at a time, whatever the table's size.

Not detectable from the database alone: the newest events of a record
deleted, or a record's chain rewritten from the point of change with new
hashes. An auditor who keeps the exports (export.py) keeps the hashes
that pin what was there."""

from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from opsdesk.core import chain
from opsdesk.core.models import TimelineEvent

from . import subjects

CHAIN_FIELDS = ("id", "subject_type", "subject_id", "seq", "hash", "at", "actor_id", "source",
                "kind", "changes", "note", "public")
CHUNK = 2_000
ALTERED, MISSING, REORDERED = "altered", "missing", "reordered"


@dataclass(frozen=True)
class Break:
    subject_type: str
    subject_id: int
    event_id: int
    seq: int
    kind: str
    problem: str
    missing: int = 0

    def describe(self) -> str:
        values = {"id": self.event_id, "seq": self.seq, "kind": self.kind,
                  "count": self.missing}
        if self.problem == MISSING:
            return ngettext(
                "%(count)s event before event %(id)s (no. %(seq)s) is missing: deleted.",
                "%(count)s events before event %(id)s (no. %(seq)s) are missing: deleted.",
                self.missing) % values
        if self.problem == REORDERED:
            return _("Event %(id)s (no. %(seq)s, %(kind)s) is out of order: it was written "
                     "before the event it follows.") % values
        return _("Event %(id)s (no. %(seq)s, %(kind)s) does not match its hash: it was "
                 "changed, or inserted by hand.") % values


@dataclass
class Report:
    records: int = 0
    events: int = 0
    breaks: list[Break] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.breaks

    def lines(self, label=subjects.label) -> list[str]:
        """One line per break, naming its record with label(type, id)."""
        names = {}
        out = []
        for broken in self.breaks:
            key = (broken.subject_type, broken.subject_id)
            if key not in names:
                names[key] = label(*key)
            out.append(f"{names[key]}: {broken.describe()}")
        return out


def check_chain(events) -> list[Break]:
    """The breaks in one record's events, given in seq order (anything with
    the CHAIN_FIELDS as attributes)."""
    breaks = []
    expected, previous, last_id = 1, chain.GENESIS, None
    for event in events:
        found = _break_at(event, expected, previous, last_id)
        if found is not None:
            breaks.append(found)
        expected, previous, last_id = event.seq + 1, event.hash, event.id
    return breaks


def _break_at(event, expected: int, previous: str, last_id: int | None) -> Break | None:
    def broken(problem: str, missing: int = 0) -> Break:
        return Break(event.subject_type, event.subject_id, event.id, event.seq, event.kind,
                     problem, missing)

    if event.seq != expected:
        return broken(MISSING, event.seq - expected)
    if last_id is not None and event.id < last_id:
        return broken(REORDERED)
    if chain.digest(event, previous) != event.hash:
        return broken(ALTERED)
    return None


def verify(*, subject_type: str | None = None, since: datetime | None = None) -> Report:
    """Walk every chain (of one record type; of the records with an event
    at or after `since`, each walked whole)."""
    events = TimelineEvent.objects.all()
    if subject_type is not None:
        events = events.filter(subject_type=subject_type)
    if since is not None:
        events = events.filter(Exists(TimelineEvent.objects.filter(
            subject_type=OuterRef("subject_type"), subject_id=OuterRef("subject_id"),
            at__gte=since)))
    rows = (events.order_by("subject_type", "subject_id", "seq")
            .values_list(*CHAIN_FIELDS, named=True).iterator(chunk_size=CHUNK))
    report = Report()
    for _subject, chain_events in groupby(rows, key=lambda row: (row.subject_type,
                                                                  row.subject_id)):
        chain_events = list(chain_events)  # one record's events: tens, not millions
        report.breaks.extend(check_chain(chain_events))
        report.records += 1
        report.events += len(chain_events)
    return report
