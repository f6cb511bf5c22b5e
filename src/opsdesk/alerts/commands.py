"""`opsdesk alert-source …` and `opsdesk maintenance …`."""

import argparse
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from opsdesk.cli import CommandFailed, require_migrated


def register(commands) -> None:
    """Add this app's subcommands to the `opsdesk` parser."""
    from .choices import SourceKind

    source_cmd = commands.add_parser("alert-source", help=_("manage monitoring alert sources"))
    source_commands = source_cmd.add_subparsers(metavar="ACTION", required=True)
    create_cmd = source_commands.add_parser(
        "create", help=_("create a source and print its URL path and token (only once)"))
    create_cmd.add_argument("name", help=_("lower-case name, used in the URL"))
    create_cmd.add_argument("--kind", required=True, metavar="KIND",
                            help=_("one of: %(kinds)s") % {"kinds": ", ".join(SourceKind.values)})
    create_cmd.add_argument("--team", help=_("support group that gets its incidents"))
    create_cmd.add_argument("--category", help=_("category of its incidents"))
    create_cmd.add_argument("--customer", help=_("customer name or code"))
    create_cmd.set_defaults(run=create_source)
    source_commands.add_parser("list", help=_("list the alert sources")) \
        .set_defaults(run=list_sources)

    window_cmd = commands.add_parser(
        "maintenance", help=_("maintenance windows: alerts recorded, no incidents"))
    window_commands = window_cmd.add_subparsers(metavar="ACTION", required=True)
    add_cmd = window_commands.add_parser("add", help=_("add a maintenance window"))
    target = add_cmd.add_mutually_exclusive_group(required=True)
    target.add_argument("--ci", help=_("configuration item name"))
    target.add_argument("--service", help=_("service name or code"))
    add_cmd.add_argument("--from", dest="starts_at", required=True, type=_local_time,
                         help=_("start, e.g. 2026-11-23T22:00 (local time) or with +08:00"))
    add_cmd.add_argument("--to", dest="ends_at", required=True, type=_local_time,
                         help=_("end, in the same form"))
    add_cmd.add_argument("--reason", required=True, help=_("why, e.g. the change number"))
    add_cmd.set_defaults(run=add_window)
    window_commands.add_parser("list", help=_("list current and coming windows")) \
        .set_defaults(run=list_windows)


def _local_time(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("not a date and time: %(value)s") % {"value": value}) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _named(model, value: str, *fields: str):
    if not value:
        return None
    for name in fields:
        found = list(model.objects.filter(**{name: value})[:2])
        if len(found) == 1:
            return found[0]
    raise CommandFailed(_("Unknown %(what)s “%(value)s”.")
                        % {"what": model._meta.verbose_name, "value": value})


def create_source(args) -> None:
    from opsdesk.core.errors import Invalid
    from opsdesk.core.models import Category, Customer, Team

    from . import actions

    require_migrated()
    try:
        source, token = actions.create_source(
            name=args.name, kind=args.kind, team=_named(Team, args.team, "name"),
            category=_named(Category, args.category, "name"),
            customer=_named(Customer, args.customer, "name", "code"))
    except Invalid as invalid:
        raise CommandFailed(" ".join(str(text) for text in invalid.fields.values())) from None
    print(_("Created alert source %(name)s (%(kind)s).")
          % {"name": source.name, "kind": source.get_kind_display()})
    print(_("URL path: %(path)s") % {"path": source.url_path})
    print(_("Token (shown only this once): %(token)s") % {"token": token})


def list_sources(args) -> None:
    from .models import AlertSource

    require_migrated()
    sources = AlertSource.objects.select_related("default_team").order_by("name")
    if not sources:
        print(_("No alert sources yet: opsdesk alert-source create NAME --kind KIND"))
    for source in sources:
        state = _("active") if source.active else _("switched off")
        print(f"{source.name}\t{source.kind}\t{source.url_path}\t{source.prefix}…\t"
              f"{source.default_team or '—'}\t{state}")


def add_window(args) -> None:
    from opsdesk.core.errors import Invalid
    from opsdesk.core.models import ConfigurationItem, Service

    from . import actions

    require_migrated()
    try:
        window = actions.add_maintenance_window(
            actor=None, ci=_named(ConfigurationItem, args.ci, "name"),
            service=_named(Service, args.service, "name", "code"),
            starts_at=args.starts_at, ends_at=args.ends_at, reason=args.reason)
    except Invalid as invalid:
        raise CommandFailed(" ".join(str(text) for text in invalid.fields.values())) from None
    print(_("Maintenance window %(id)d: %(window)s") % {"id": window.pk, "window": window})


def list_windows(args) -> None:
    from opsdesk.core import clock

    from .models import MaintenanceWindow

    require_migrated()
    windows = MaintenanceWindow.objects.filter(ends_at__gt=clock.now()).select_related(
        "ci", "service").order_by("starts_at", "id")
    if not windows:
        print(_("No current or coming maintenance windows."))
    for window in windows:
        print(f"{window.pk}\t{window.ci or window.service}\t"
              f"{timezone.localtime(window.starts_at):%Y-%m-%d %H:%M}\t"
              f"{timezone.localtime(window.ends_at):%Y-%m-%d %H:%M}\t{window.reason}")
