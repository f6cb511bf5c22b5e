"""`opsdesk mailbox …` and `opsdesk mail-ingest`."""

import sys

from django.db import DatabaseError
from django.utils.translation import gettext as _

# sysexits.h: the MTA keeps the mail and delivers it again later.
EX_TEMPFAIL = 75


def register(commands) -> None:
    """Add this app's subcommands to the `opsdesk` parser."""
    mailbox_cmd = commands.add_parser("mailbox", help=_("manage the mailboxes mail comes in at"))
    mailbox_commands = mailbox_cmd.add_subparsers(metavar="ACTION", required=True)

    add_cmd = mailbox_commands.add_parser("add", help=_("add a mailbox"))
    add_cmd.add_argument("name", help=_("short name, e.g. servicedesk"))
    add_cmd.add_argument("--address", required=True, help=_("the mailbox's e-mail address"))
    add_cmd.add_argument("--imap-host", default="", help=_("IMAP server to poll"))
    add_cmd.add_argument("--imap-port", type=int, help=_("default 993, or 143 without --ssl"))
    add_cmd.add_argument("--imap-user", default="", help=_("default: the address"))
    password = add_cmd.add_mutually_exclusive_group()
    password.add_argument("--imap-password-env", default="", metavar="VAR",
                          help=_("environment variable that holds the IMAP password"))
    password.add_argument("--imap-password-file", default="", metavar="PATH",
                          help=_("file that holds the IMAP password"))
    add_cmd.add_argument("--folder", default="INBOX", help=_("IMAP folder to read"))
    add_cmd.add_argument("--processed-folder", default="",
                         help=_("move processed mail there (default: mark it with a keyword)"))
    add_cmd.add_argument("--ssl", action="store_true", help=_("IMAP over TLS"))
    add_cmd.add_argument("--team", help=_("team new incidents are assigned to"))
    add_cmd.add_argument("--category", help=_("category of new incidents"))
    add_cmd.add_argument("--customer", help=_("customer of mail from unknown senders"))
    add_cmd.set_defaults(run=add_mailbox)

    mailbox_commands.add_parser("list", help=_("list the mailboxes")).set_defaults(
        run=list_mailboxes)

    ingest_cmd = commands.add_parser(
        "mail-ingest", help=_("read one mail on standard input (for a Postfix or Exim pipe)"))
    ingest_cmd.add_argument("--mailbox", required=True, help=_("name of the mailbox"))
    ingest_cmd.set_defaults(run=mail_ingest)


def add_mailbox(args) -> None:
    from django.core.exceptions import ValidationError

    from opsdesk.cli import CommandFailed, require_migrated
    from opsdesk.core.models import Category, Customer, Team

    from .models import Mailbox

    require_migrated()
    if args.imap_host and not (args.imap_password_env or args.imap_password_file):
        raise CommandFailed(_("An IMAP mailbox needs --imap-password-env or "
                              "--imap-password-file."))
    mailbox = Mailbox(
        name=args.name, address=args.address.strip().lower(), imap_host=args.imap_host,
        imap_port=args.imap_port, imap_ssl=args.ssl, imap_folder=args.folder,
        imap_username=args.imap_user, imap_password_env=args.imap_password_env,
        imap_password_file=args.imap_password_file, processed_folder=args.processed_folder,
        team=_named(Team, "name", args.team, _("team")),
        category=_named(Category, "name", args.category, _("category")),
        customer=_named(Customer, "code", args.customer, _("customer")),
    )
    try:
        mailbox.full_clean()
    except ValidationError as error:
        raise CommandFailed(" ".join(
            f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()
        )) from None
    mailbox.save()
    print(_("Added mailbox %(mailbox)s.") % {"mailbox": mailbox})


def _named(model, key: str, value: str | None, what: str):
    from opsdesk.cli import CommandFailed

    if not value:
        return None
    found = (model.objects.filter(name=value).first()
             or model.objects.filter(**{key: value}).first())
    if found is None:
        raise CommandFailed(_("Unknown %(what)s “%(value)s”.") % {"what": what, "value": value})
    return found


def list_mailboxes(args) -> None:
    from opsdesk.cli import require_migrated

    from .models import Mailbox

    require_migrated()
    mailboxes = list(Mailbox.objects.select_related("team"))
    if not mailboxes:
        print(_("No mailboxes yet. Add one with “opsdesk mailbox add”."))
    for mailbox in mailboxes:
        source = (f"imap{'s' if mailbox.imap_ssl else ''}://{mailbox.imap_host}/"
                  f"{mailbox.imap_folder}" if mailbox.polls_imap else _("MTA pipe"))
        state = "" if mailbox.active else " " + _("(inactive)")
        team = mailbox.team or "—"
        print(f"{mailbox.name}  {mailbox.address}  {source}  {team}{state}")
        if mailbox.last_error:
            print("  " + _("last poll failed: %(error)s") % {"error": mailbox.last_error})


def mail_ingest(args) -> int:
    """Exit 0 once the mail is stored (or recognised as noise); 75 when the
    database cannot be used, so that the MTA delivers it again later."""
    from opsdesk.cli import CommandFailed, require_migrated

    from .ingest import ingest
    from .models import Mailbox

    raw = sys.stdin.buffer.read()
    if not raw.strip():
        raise CommandFailed(_("No mail on standard input."))
    try:
        try:
            require_migrated()
        except CommandFailed as failure:  # e.g. during an upgrade: the MTA retries later
            print(f"opsdesk: {failure}", file=sys.stderr)
            return EX_TEMPFAIL
        mailbox = Mailbox.objects.filter(name=args.mailbox).first()
        if mailbox is None:
            known = ", ".join(Mailbox.objects.values_list("name", flat=True)) or "—"
            raise CommandFailed(_("Unknown mailbox “%(name)s”. Known mailboxes: %(known)s.")
                                % {"name": args.mailbox, "known": known})
        inbound = ingest(mailbox, raw)
    except DatabaseError as error:
        print("opsdesk: " + _("Cannot store the mail now, the MTA should retry: %(error)s")
              % {"error": error}, file=sys.stderr)
        return EX_TEMPFAIL
    print(_("%(message_id)s: %(outcome)s") % {
        "message_id": inbound.message_id, "outcome": inbound.get_outcome_display()})
    return 0
