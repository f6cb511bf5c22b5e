"""`opsdesk problems trends [--days 30 --min 3]`."""

import argparse

from django.utils.translation import gettext as _

from opsdesk.cli import CommandFailed, require_migrated


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number <= 0:
        raise argparse.ArgumentTypeError(_("must be a positive whole number"))
    return number


def register(commands) -> None:
    from .trends import DEFAULT_DAYS, DEFAULT_MINIMUM

    problems_cmd = commands.add_parser("problems", help=_("problem management"))
    problem_commands = problems_cmd.add_subparsers(metavar="ACTION", required=True)
    trends_cmd = problem_commands.add_parser(
        "trends", help=_("propose problems for recurring incidents (trend analysis)"))
    trends_cmd.add_argument("--days", type=_positive, default=DEFAULT_DAYS,
                            help=_("window in days (default %(default)s)"))
    trends_cmd.add_argument("--min", dest="minimum", type=_positive, default=DEFAULT_MINIMUM,
                            help=_("incidents that make a recurrence (default %(default)s)"))
    trends_cmd.set_defaults(run=run_trends)


def run_trends(args) -> None:
    from opsdesk.core.errors import Invalid

    from . import trends

    require_migrated()
    try:
        proposed = trends.propose(source="cli", days=args.days, minimum=args.minimum)
    except Invalid as error:
        raise CommandFailed(" ".join(map(str, error.fields.values()))) from None
    if not proposed:
        print(_("No new recurring incidents."))
    for problem in proposed:
        numbers = ", ".join(problem.links.values_list("incident__number", flat=True))
        print(_("%(number)s proposed: %(title)s (%(incidents)s)") % {
            "number": problem.number, "title": problem.title, "incidents": numbers})
