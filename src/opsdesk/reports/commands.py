"""`opsdesk report monthly --month 2026-10 [--customer NAME]`."""

from django.conf import settings
from django.utils.translation import gettext as _

from opsdesk.cli import CommandFailed, require_migrated


def register(commands) -> None:
    report_cmd = commands.add_parser("report", help=_("service reports"))
    report_commands = report_cmd.add_subparsers(metavar="REPORT", required=True)
    monthly_cmd = report_commands.add_parser(
        "monthly", help=_("generate (or regenerate) the monthly service report and store it"))
    monthly_cmd.add_argument("--month", required=True, metavar="YYYY-MM",
                             help=_("the month, e.g. 2026-10"))
    monthly_cmd.add_argument("--customer", metavar="NAME",
                             help=_("a customer's name or code (default: the whole service)"))
    monthly_cmd.set_defaults(run=run_monthly)


def run_monthly(args) -> None:
    from django.db.models import Q

    from opsdesk.core.errors import Invalid
    from opsdesk.core.models import Customer

    from . import monthly, monthly_actions

    require_migrated()
    customer = None
    if args.customer:
        customer = Customer.objects.filter(Q(name=args.customer) | Q(code=args.customer)).first()
        if customer is None:
            raise CommandFailed(_("Unknown customer “%(customer)s”.") % {"customer": args.customer})
    try:
        period = monthly.parse_month(args.month)
        report = monthly_actions.generate_now(period, customer, actor=None, source="cli")
    except Invalid as error:
        raise CommandFailed(" ".join(map(str, error.fields.values()))) from None
    print(_("%(number)s generated: %(title)s") % {
        "number": report.number, "title": monthly.title_of(period, customer)})
    for file in report.files.order_by("format"):
        print(f"  {file.name} ({file.size} B): {settings.OPSDESK_BASE_URL}"
              f"{report.file_url(file.format)}")
