"""`opsdesk ci import FILE [--dry-run]` and `opsdesk ci export FILE`."""

import sys
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from opsdesk.cli import CommandFailed, require_migrated


def register(commands) -> None:
    """Add this app's subcommands to the `opsdesk` parser."""
    ci_cmd = commands.add_parser("ci", help=_("configuration items: import and export"))
    ci_commands = ci_cmd.add_subparsers(metavar="ACTION", required=True)
    import_cmd = ci_commands.add_parser(
        "import", help=_("import items or relationships from a .csv or .xlsx file"))
    import_cmd.add_argument("file", type=Path, help=_("the file to read"))
    import_cmd.add_argument("--dry-run", action="store_true",
                            help=_("check every row and report errors; change nothing"))
    import_cmd.set_defaults(run=import_file)
    export_cmd = ci_commands.add_parser(
        "export", help=_("write items and relationships to a .xlsx file, or one table to .csv"))
    export_cmd.add_argument("file", type=Path, help=_("the file to write"))
    export_cmd.add_argument("--relationships", action="store_true",
                            help=_("for .csv: write the relationships instead of the items"))
    export_cmd.set_defaults(run=export_file)


def import_file(args) -> int:
    from opsdesk.core.errors import OpsDeskError

    from .transfer import import_tables, read_tables

    require_migrated()
    try:
        content = args.file.read_bytes()
    except OSError as error:
        raise CommandFailed(str(error)) from None
    try:
        report = import_tables(read_tables(args.file.name, content), actor=None, source="cli",
                               dry_run=args.dry_run)
    except OpsDeskError as error:
        raise CommandFailed(str(error.message)) from None
    for problem in report.problems:
        print(f"{args.file.name} {problem}", file=sys.stderr)
    if report.problems:
        count = len(report.problems)
        print(ngettext("%(count)s error; nothing was changed.",
                       "%(count)s errors; nothing was changed.", count) % {"count": count},
              file=sys.stderr)
        return 1
    figures = {"created": report.created, "updated": report.updated, "related": report.related}
    if args.dry_run:
        print(_("Dry run, nothing changed: %(created)s items would be new, %(updated)s updated, "
                "%(related)s relationships new.") % figures)
    else:
        print(_("%(created)s items new, %(updated)s updated, %(related)s relationships new.")
              % figures)
    return 0


def export_file(args) -> None:
    from .transfer import ci_table, csv_bytes, relationship_table, xlsx_bytes

    require_migrated()
    suffix = args.file.suffix.lower()
    if suffix == ".xlsx":
        content = xlsx_bytes()
    elif suffix == ".csv":
        content = csv_bytes(relationship_table() if args.relationships else ci_table())
    else:
        raise CommandFailed(_("Give a .csv or .xlsx file."))
    try:
        args.file.write_bytes(content)
    except OSError as error:
        raise CommandFailed(str(error)) from None
    print(_("Written to %(file)s.") % {"file": args.file})
