"""One history import from start to end: read and check the whole file, then
(unless it is a dry run or something is wrong) write it. All or nothing as to
the file's content: a malformed row or an unknown value stops the import
before anything is written."""

import contextlib
import gc
import time
from dataclasses import dataclass, field

from .actions import Plan, Summary, Writer, plan
from .history import Converter, fold
from .lookups import Lookups
from .mapping import Mapping
from .reading import Findings, decode, rows


@dataclass
class Outcome:
    findings: Findings
    dry_run: bool
    tickets: int = 0
    events: int = 0
    work: Plan | None = None  # None when the file has problems
    would_create: dict[str, int] = field(default_factory=dict)
    summary: Summary | None = None  # None unless written
    seconds: float = 0.0


def import_history(content: bytes, mapping: Mapping, *, dry_run: bool = False,
                   create_missing: bool = False, progress=None) -> Outcome:
    """`progress(total)` makes the callable told how many events are written."""
    with _cycle_collector_paused():
        return _import(content, mapping, dry_run=dry_run, create_missing=create_missing,
                       progress=progress)


@contextlib.contextmanager
def _cycle_collector_paused():
    """An import keeps every event of the file alive while it makes several
    objects per event, and each of Python's full collections walks them all
    again: a tenth of the import's time, for no cycles worth collecting
    before the end."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _import(content: bytes, mapping: Mapping, *, dry_run: bool, create_missing: bool,
            progress) -> Outcome:
    started = time.perf_counter()
    header, records = rows(decode(content, mapping.encoding), mapping.delimiter,
                           mapping.required_columns())
    findings = Findings(absent_columns=sorted(mapping.columns() - set(header)))
    lookups = Lookups(mapping, create_missing=create_missing)
    tickets = fold(records, Converter(mapping, header, lookups, findings))
    outcome = Outcome(findings, dry_run, tickets=len(tickets),
                      events=sum(len(ticket.events) for ticket in tickets))
    if findings.blocking:
        return outcome
    lookups.check_creatable()
    outcome.work = plan(tickets, mapping.source)
    outcome.would_create = lookups.missing_counts()
    if not dry_run:
        told = progress(outcome.work.events) if progress else (lambda done: None)
        outcome.summary = Writer(mapping.source, lookups, progress=told).run(outcome.work)
    outcome.seconds = time.perf_counter() - started
    return outcome
