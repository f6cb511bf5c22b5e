"""The `opsdesk` command: serve, worker, migrate, createuser, token, demo, check.

Settings come from the environment (see settings.py). Messages follow
OPSDESK_LANGUAGE; a bad argument or a failed command prints one clear line
on stderr and exits non-zero.
"""

import argparse
import getpass
import os
import signal
import sys
import threading
import unicodedata
from importlib import import_module

import django
from django.conf import settings
from django.core.management import call_command
from django.db import OperationalError, connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from waitress import create_server

from opsdesk.core.choices import Role

# Modules that touch models are imported inside the commands: they need
# django.setup(), which main() runs first.


# Apps that add their own subcommands, each through a `register(commands)`.
APP_COMMANDS = ("opsdesk.mail.commands", "opsdesk.alerts.commands", "opsdesk.cmdb.commands",
                "opsdesk.problems.commands", "opsdesk.imports.commands", "opsdesk.audit.commands",
                "opsdesk.reports.commands")


class CommandFailed(Exception):
    """A message for the user; the command exits with status 1."""


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsdesk.settings")
    django.setup()
    translation.activate(settings.LANGUAGE_CODE)
    args = build_parser().parse_args(argv)
    try:
        return args.run(args) or 0
    except CommandFailed as failure:
        print(f"opsdesk: {failure}", file=sys.stderr)
        return 1
    except OperationalError as error:
        print("opsdesk: " + _("Cannot use the database: %(error)s") % {"error": error},
              file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def build_parser() -> argparse.ArgumentParser:
    from opsdesk.worker import DEFAULT_INTERVAL_SECONDS

    parser = argparse.ArgumentParser(
        prog="opsdesk", description=_("OpsDesk IT service management."),
    )
    commands = parser.add_subparsers(title=_("commands"), metavar="COMMAND", required=True)

    serve_cmd = commands.add_parser(
        "serve", help=_("migrate, then run the web console, the API and the worker"))
    serve_cmd.add_argument("--host", default="127.0.0.1", help=_("address to listen on"))
    serve_cmd.add_argument("--port", type=int, default=8000, help=_("port to listen on"))
    serve_cmd.add_argument("--demo", action="store_true",
                           help=_("load the demo organisation first (once)"))
    serve_cmd.add_argument("--threads", type=int, default=8, help=_("web worker threads"))
    serve_cmd.set_defaults(run=serve)

    worker_cmd = commands.add_parser(
        "worker", help=_("run the background worker"))
    worker_cmd.add_argument("--once", action="store_true",
                            help=_("stop as soon as no work is due"))
    worker_cmd.add_argument("--interval", type=_positive_seconds,
                            default=DEFAULT_INTERVAL_SECONDS, metavar="SECONDS",
                            help=_("pause between rounds when idle"))
    worker_cmd.set_defaults(run=worker)

    commands.add_parser("migrate", help=_("create or update the database tables")) \
        .set_defaults(run=migrate)

    user_cmd = commands.add_parser("createuser", help=_("create a user (password from "
                                                        "OPSDESK_PASSWORD, else a prompt)"))
    user_cmd.add_argument("name", help=_("login name"))
    user_cmd.add_argument("--role", required=True, metavar="ROLE",
                          help=_("one of: %(roles)s") % {"roles": ", ".join(Role.values)})
    user_cmd.add_argument("--team", help=_("support group name"))
    user_cmd.add_argument("--customer", help=_("customer name or code (for requesters)"))
    user_cmd.add_argument("--email", default="")
    user_cmd.add_argument("--display-name", default="", help=_("name shown in the console"))
    user_cmd.set_defaults(run=createuser)

    token_cmd = commands.add_parser("token", help=_("manage API tokens"))
    token_commands = token_cmd.add_subparsers(metavar="ACTION", required=True)
    create_token_cmd = token_commands.add_parser(
        "create", help=_("create an API token and print it (only once)"))
    create_token_cmd.add_argument("--user", required=True, help=_("login name of the owner"))
    create_token_cmd.add_argument("--name", default="", help=_("a label for the token"))
    create_token_cmd.set_defaults(run=create_token)

    commands.add_parser("demo", help=_("load the demo organisation and incidents (once)")) \
        .set_defaults(run=demo)

    commands.add_parser("check", help=_("print liveness readings; exit 1 if one is wrong")) \
        .set_defaults(run=check)
    for module in APP_COMMANDS:
        import_module(module).register(commands)
    return parser


def _positive_seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0
    if seconds <= 0:
        raise argparse.ArgumentTypeError(_("must be a positive number of seconds"))
    return seconds


def migrate(args=None, *, verbosity: int = 1) -> None:
    call_command("migrate", interactive=False, verbosity=verbosity)


def require_migrated() -> None:
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise CommandFailed(_("The database is not up to date. Run “opsdesk migrate” first."))


def createuser(args) -> None:
    from opsdesk.core.models import Customer, Team, User

    require_migrated()
    if args.role not in Role.values:
        raise CommandFailed(_("Unknown role “%(role)s”. Choose one of: %(roles)s.")
                            % {"role": args.role, "roles": ", ".join(Role.values)})
    team = customer = None
    if args.team:
        team = Team.objects.filter(name=args.team).first()
        if team is None:
            known = ", ".join(Team.objects.values_list("name", flat=True)) or "—"
            raise CommandFailed(_("Unknown team “%(team)s”. Known teams: %(known)s.")
                                % {"team": args.team, "known": known})
    if args.customer:
        customer = (Customer.objects.filter(name=args.customer).first()
                    or Customer.objects.filter(code=args.customer).first())
        if customer is None:
            raise CommandFailed(_("Unknown customer “%(customer)s”.")
                                % {"customer": args.customer})
    if User.objects.filter(username=args.name).exists():
        raise CommandFailed(_("A user named “%(name)s” already exists.") % {"name": args.name})
    password = _password()
    user = User(
        username=args.name, role=args.role, team=team, customer=customer,
        email=args.email, display_name=args.display_name or args.name,
        is_staff=args.role == Role.ADMIN, is_superuser=args.role == Role.ADMIN,
    )
    user.set_password(password)
    user.save()
    print(_("Created user %(name)s (%(role)s).")
          % {"name": user.username, "role": Role(user.role).label})


def _password() -> str:
    password = os.environ.get("OPSDESK_PASSWORD")
    if password is None:
        if not sys.stdin.isatty():
            raise CommandFailed(_("Set OPSDESK_PASSWORD or run in a terminal to type the "
                                  "password."))
        password = getpass.getpass(_("Password: "))
        if password != getpass.getpass(_("Password (again): ")):
            raise CommandFailed(_("The passwords do not match."))
    if not password:
        raise CommandFailed(_("The password must not be empty."))
    return password


def create_token(args) -> None:
    from opsdesk.core.models import ApiToken, User

    require_migrated()
    user = User.objects.filter(username=args.user, is_active=True).first()
    if user is None:
        raise CommandFailed(_("No active user named “%(name)s”.") % {"name": args.user})
    _row, token = ApiToken.issue(user, name=args.name)
    # Only the token on stdout, so that `TOKEN=$(opsdesk token create …)` works.
    print(token)


def demo(args=None) -> None:
    from opsdesk.demo import DemoInterrupted, load_demo

    migrate(verbosity=0)
    print(_("Loading the demo organisation…"), flush=True)
    try:
        result = load_demo()
    except DemoInterrupted as interrupted:
        raise CommandFailed(str(interrupted)) from None
    if result.loaded:
        print(_("Demo loaded: %(count)d incidents.") % {"count": result.incidents})
    else:
        print(_("The demo organisation is already loaded; nothing changed."))
    _print_logins(result)


def _print_logins(result) -> None:
    rows = [(_("Login"), _("Name"), _("Role"), _("Team / customer"))]
    for user in result.logins:
        where = user.team or user.customer or ""
        rows.append((user.username, str(user), user.get_role_display(), str(where)))
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = [cell + " " * (width - _width(cell)) for cell, width in zip(row, widths,
                                                                            strict=True)]
        print("  ".join(cells).rstrip())
    print(_("Password for every demo login: %(password)s") % {"password": result.password})


def _width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def worker(args) -> None:
    from opsdesk.worker import Worker

    require_migrated()
    runner = Worker(interval=args.interval)
    runner.stop_on_signals()
    runner.run(once=args.once)
    if runner.failures:
        raise CommandFailed(ngettext("%(n)d handler call failed; see the log above.",
                                     "%(n)d handler calls failed; see the log above.",
                                     runner.failures) % {"n": runner.failures})


def check(args) -> None:
    from opsdesk.core.health import readings

    require_migrated()
    wrong = 0
    for reading in readings():
        state = _("OK") if reading.ok else _("WRONG")
        line = f"[{state}] {reading.label}: {reading.value}"
        if not reading.ok:
            wrong += 1
            line += f" ({reading.hint})" if reading.hint else ""
        print(line)
    if wrong:
        raise CommandFailed(ngettext("%(n)d reading is wrong.", "%(n)d readings are wrong.",
                                     wrong) % {"n": wrong})


def serve(args) -> None:
    from opsdesk.worker import Worker
    from opsdesk.wsgi import application

    print(_("Updating the database…"), flush=True)
    migrate(verbosity=0)
    if args.demo:
        demo()
    settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)
    try:
        server = create_server(application, host=args.host, port=args.port,
                               threads=args.threads, ident="OpsDesk")
    except OSError as error:
        raise CommandFailed(_("Cannot listen on %(host)s:%(port)s: %(error)s")
                            % {"host": args.host, "port": args.port,
                               "error": error.strerror or error}) from None
    background = Worker()
    thread = threading.Thread(target=background.run, name="opsdesk-worker", daemon=True)
    thread.start()
    # waitress stops cleanly on KeyboardInterrupt/SystemExit; make SIGTERM one.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    print(_("OpsDesk is running at http://%(host)s:%(port)s/ (press Ctrl+C to stop)")
          % {"host": args.host, "port": args.port}, flush=True)
    try:
        server.run()
    finally:
        background.stop()
        thread.join(timeout=10)


def _exit_on_signal(signum, frame):
    raise SystemExit(0)


if __name__ == "__main__":
    sys.exit(main())
