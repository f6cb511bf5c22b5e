"""`opsdesk audit verify [--type T] [--since DATE] [--file EXPORT]` and
`opsdesk audit export --from DATE --to DATE [--type T] [--format csv|jsonl]`."""

import argparse
import sys
from datetime import date
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from opsdesk.cli import CommandFailed, require_migrated


def register(commands) -> None:
    """Add this app's subcommands to the `opsdesk` parser."""
    audit_cmd = commands.add_parser("audit", help=_("audit evidence: verify and export the "
                                                    "timeline"))
    actions = audit_cmd.add_subparsers(metavar="ACTION", required=True)
    verify_cmd = actions.add_parser(
        "verify", help=_("check the hash chain of every record's timeline"))
    verify_cmd.add_argument("--type", help=_("only records of this type (incident, problem …)"))
    verify_cmd.add_argument("--since", type=_date, metavar="YYYY-MM-DD",
                            help=_("only records with an event on or after this day"))
    verify_cmd.add_argument("--file", type=Path,
                            help=_("check an export file instead of the database"))
    verify_cmd.set_defaults(run=verify)
    export_cmd = actions.add_parser(
        "export", help=_("write the timeline of a period to standard output"))
    export_cmd.add_argument("--from", dest="start", type=_date, required=True,
                            metavar="YYYY-MM-DD", help=_("first day"))
    export_cmd.add_argument("--to", dest="end", type=_date, required=True,
                            metavar="YYYY-MM-DD", help=_("last day (inclusive)"))
    export_cmd.add_argument("--type", help=_("only records of this type"))
    export_cmd.add_argument("--format", choices=("csv", "jsonl"), default="csv",
                            help=_("csv (UTF-8 with BOM) or jsonl"))
    export_cmd.set_defaults(run=export)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("give a date as YYYY-MM-DD")) from None


def verify(args) -> int:
    from opsdesk.core.errors import Invalid

    from . import offline, queries, subjects
    from .verify import verify as verify_chains

    label = subjects.label
    if args.file is not None:
        label = offline.label
        try:
            report = offline.check_file(args.file.read_bytes())
        except (OSError, UnicodeDecodeError, ValueError) as error:
            raise CommandFailed(str(error)) from None
    else:
        require_migrated()
        try:
            subject_type = queries.check_type(args.type)
        except Invalid as error:
            raise CommandFailed(f"--type: {error.fields['type']}") from None
        since = queries.period(args.since, args.since)[0] if args.since else None
        report = verify_chains(subject_type=subject_type, since=since)
    figures = {"records": report.records, "events": report.events,
               "count": len(report.breaks)}
    if report.ok:
        print(_("OK: %(records)s records, %(events)s events") % figures)
        return 0
    for line in report.lines(label):
        print(line)
    print(ngettext("BROKEN: %(count)s break in %(records)s records, %(events)s events",
                   "BROKEN: %(count)s breaks in %(records)s records, %(events)s events",
                   len(report.breaks)) % figures, file=sys.stderr)
    return 1


def export(args) -> int:
    from opsdesk.core.errors import Invalid

    from . import export as exporting
    from . import queries

    require_migrated()
    try:
        start, end = queries.period(args.start, args.end)
        subject_type = queries.check_type(args.type)
    except Invalid as error:
        raise CommandFailed("; ".join(f"--{name}: {message}"
                                      for name, message in error.fields.items())) from None
    rows = exporting.rows(queries.events_between(start, end, subject_type))
    out = sys.stdout.buffer
    for chunk in exporting.lines(rows, args.format):
        out.write(chunk.encode())
    out.flush()
    return 0
