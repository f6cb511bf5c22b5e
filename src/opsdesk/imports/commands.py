"""`opsdesk import servicenow|csv|calls FILE …`: bring history from other tools."""

import sys
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from opsdesk.cli import CommandFailed, require_migrated


def register(commands) -> None:
    """Add this app's subcommands to the `opsdesk` parser."""
    import_cmd = commands.add_parser(
        "import", help=_("import ticket history or phone calls from other tools"))
    kinds = import_cmd.add_subparsers(metavar="FORMAT", required=True)
    servicenow = kinds.add_parser(
        "servicenow", help=_("a ServiceNow incident audit export (.csv, one row per event)"))
    servicenow.add_argument("--mapping", type=Path, metavar="MAP.toml",
                            help=_("your values laid over the built-in ServiceNow mapping"))
    servicenow.set_defaults(run=import_servicenow)
    generic = kinds.add_parser("csv", help=_("any ticket export, described by a mapping file"))
    generic.add_argument("--mapping", type=Path, metavar="MAP.toml", required=True,
                         help=_("columns, value maps, dates, encoding and the ticket key"))
    generic.set_defaults(run=import_csv)
    for parser in (servicenow, generic):
        parser.add_argument("--create-missing", action="store_true",
                            help=_("create unknown categories, teams and CIs instead of "
                                   "refusing them"))
    calls = kinds.add_parser("calls", help=_("a telephony export of calls (.csv)"))
    calls.add_argument("--mapping", type=Path, metavar="MAP.toml",
                       help=_("other column names, date format or encoding"))
    calls.add_argument("--source", help=_("the telephony system's name (default: from the "
                                          "mapping, else “telephony”)"))
    calls.set_defaults(run=import_calls)
    for parser in (servicenow, generic, calls):
        parser.add_argument("file", type=Path, help=_("the .csv file to read"))
        parser.add_argument("--dry-run", action="store_true",
                            help=_("check everything and report; write nothing"))


def _content(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise CommandFailed(str(error)) from None


def import_servicenow(args) -> int:
    return _import_history(args, builtin="servicenow")


def import_csv(args) -> int:
    return _import_history(args, builtin=None)


def _import_history(args, *, builtin: str | None) -> int:
    from opsdesk.core.errors import OpsDeskError

    from .importer import import_history
    from .mapping import load_file
    from .progress import Progress

    require_migrated()
    try:
        outcome = import_history(
            _content(args.file), load_file(args.mapping, builtin=builtin),
            dry_run=args.dry_run, create_missing=args.create_missing,
            progress=lambda total: Progress(total, _("writing events")))
    except OpsDeskError as error:
        raise CommandFailed(f"{args.file.name}: {error.message}") from None
    findings = outcome.findings
    if _refused(args.file.name, findings):
        if findings.unknown:
            print(_("Map unknown values in a mapping file (--mapping), or let "
                    "--create-missing create categories, teams and CIs."), file=sys.stderr)
        return 1
    for line in findings.notes():
        print(f"{args.file.name} {line}", file=sys.stderr)
    _print_summary(outcome)
    return 0


def _refused(name: str, findings) -> bool:
    """Print what stops the import, if anything; True when something does."""
    for line in [*findings.error_lines(), *findings.unknown_lines()]:
        print(f"{name} {line}", file=sys.stderr)
    if not findings.blocking:
        return False
    count = len(findings.errors) + len(findings.unknown)
    print(ngettext("%(count)s problem; nothing was imported.",
                   "%(count)s problems; nothing was imported.", count) % {"count": count},
          file=sys.stderr)
    return True


def _print_summary(outcome) -> None:
    work, created = outcome.work, outcome.would_create
    figures = {"tickets": outcome.tickets, "events": outcome.events,
               "categories": created["category"], "teams": created["team"],
               "cis": created["ci"]}
    print(_("Read %(events)s events of %(tickets)s tickets.") % figures)
    if outcome.dry_run:
        print(_("Dry run, nothing written: %(new)s incidents would be new, %(updated)s would "
                "get newer events, %(unchanged)s are unchanged; %(written)s timeline events "
                "would be written.")
              % {"new": len(work.new), "updated": len(work.updates),
                 "unchanged": work.unchanged, "written": work.events})
        if any(created.values()):
            print(_("Would create %(categories)s categories, %(teams)s teams and %(cis)s "
                    "configuration items.") % figures)
        return
    summary = outcome.summary
    rate = summary.events_written / outcome.seconds if outcome.seconds else 0
    print(_("%(new)s incidents new, %(updated)s updated, %(unchanged)s unchanged; "
            "%(written)s timeline events written in %(seconds).1f s (%(rate).0f events/s).")
          % {"new": summary.tickets_new, "updated": summary.tickets_updated,
             "unchanged": summary.tickets_unchanged, "written": summary.events_written,
             "seconds": outcome.seconds, "rate": rate})
    if any(created.values()):
        print(_("Created %(categories)s categories, %(teams)s teams and %(cis)s configuration "
                "items.") % figures)
    for conflict in summary.conflicts:
        print(_("%(ticket)s newer events not applied: the incident was changed in OpsDesk "
                "since it was imported.") % {"ticket": conflict}, file=sys.stderr)


def import_calls(args) -> int:
    from opsdesk.calls.importer import import_calls as run_import
    from opsdesk.calls.importer import load_calls_mapping
    from opsdesk.core.errors import OpsDeskError

    require_migrated()
    try:
        mapping = load_calls_mapping(args.mapping, source=args.source)
        outcome = run_import(_content(args.file), mapping, dry_run=args.dry_run)
    except OpsDeskError as error:
        raise CommandFailed(f"{args.file.name}: {error.message}") from None
    if _refused(args.file.name, outcome.findings):
        return 1
    figures = {"created": outcome.created, "updated": outcome.updated,
               "unchanged": outcome.unchanged}
    if args.dry_run:
        print(_("Dry run, nothing written: %(created)s calls would be new, %(updated)s "
                "updated, %(unchanged)s unchanged.") % figures)
    else:
        print(_("%(created)s calls new, %(updated)s updated, %(unchanged)s unchanged.")
              % figures)
    return 0
