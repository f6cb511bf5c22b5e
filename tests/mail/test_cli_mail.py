"""`opsdesk mailbox add|list` and `opsdesk mail-ingest` as Postfix runs it:
the real executable, a mail on standard input, the exit status it reads."""

import subprocess

from opsdesk.core.models import Team
from opsdesk.incidents.models import Incident
from opsdesk.mail.models import InboundMessage, Mailbox, Outcome

from ..cli.conftest import OPSDESK
from .conftest import DESK_ADDRESS, mail
from .conftest import opsdesk as run


def pipe(raw: bytes, env: dict, mailbox: str = "servicedesk") -> subprocess.CompletedProcess:
    """What Postfix's pipe(8) does: the mail on stdin, then read the exit status."""
    return subprocess.run([str(OPSDESK), "mail-ingest", "--mailbox", mailbox], input=raw,
                          env=env, capture_output=True, timeout=120)


def test_mailbox_add_and_list(shared_db):
    Team.objects.create(name="服务台", tier="service_desk")

    added = run("mailbox", "add", "servicedesk", "--address", DESK_ADDRESS,
                "--imap-host", "imap.ops.example.cn", "--imap-password-env", "DESK_PW",
                "--ssl", "--team", "服务台", env=shared_db)
    listed = run("mailbox", "list", env=shared_db)

    assert added.returncode == 0, added.stderr
    assert "Added mailbox servicedesk" in added.stdout
    mailbox = Mailbox.objects.get()
    assert (mailbox.imap_host, mailbox.imap_port, mailbox.imap_ssl, mailbox.team.name) == (
        "imap.ops.example.cn", None, True, "服务台")
    assert mailbox.imap_password_env == "DESK_PW"
    assert listed.returncode == 0
    assert "servicedesk  servicedesk@ops.example.cn  imaps://imap.ops.example.cn/INBOX" \
        in listed.stdout


def test_mailbox_add_refuses_bad_input_and_changes_nothing(shared_db):
    no_password = run("mailbox", "add", "desk", "--address", DESK_ADDRESS,
                      "--imap-host", "imap.example.cn", env=shared_db)
    bad_address = run("mailbox", "add", "desk", "--address", "not-an-address", env=shared_db)
    unknown_team = run("mailbox", "add", "desk", "--address", DESK_ADDRESS, "--team", "无此组",
                       env=shared_db)

    assert no_password.returncode == 1
    assert "needs --imap-password-env or --imap-password-file" in no_password.stderr
    assert bad_address.returncode == 1 and "address" in bad_address.stderr
    assert unknown_team.returncode == 1 and "Unknown team “无此组”" in unknown_team.stderr
    assert not Mailbox.objects.exists()


def test_mail_ingest_stores_a_mail_and_exits_0(shared_db):
    Mailbox.objects.create(name="servicedesk", address=DESK_ADDRESS)

    first = pipe(mail(), shared_db)
    again = pipe(mail(), shared_db)

    assert (first.returncode, again.returncode) == (0, 0), first.stderr
    assert b"Created an incident" in first.stdout
    assert Incident.objects.count() == 1
    assert InboundMessage.objects.get().outcome == Outcome.CREATED


def test_mail_ingest_exits_0_for_noise(shared_db):
    Mailbox.objects.create(name="servicedesk", address=DESK_ADDRESS)

    result = pipe(mail(headers={"Auto-Submitted": "auto-replied"}), shared_db)

    assert result.returncode == 0, result.stderr
    assert not Incident.objects.exists()


def test_mail_ingest_names_an_unknown_mailbox(shared_db):
    Mailbox.objects.create(name="servicedesk", address=DESK_ADDRESS)

    result = pipe(mail(), shared_db, "helpdesk")

    assert result.returncode == 1
    assert "Unknown mailbox “helpdesk”. Known mailboxes: servicedesk." in result.stderr.decode()
    assert not InboundMessage.objects.exists()


def test_mail_ingest_asks_the_mta_to_retry_when_the_database_is_down(cli_env):
    env = {**cli_env, "DATABASE_URL": "postgres://opsdesk@127.0.0.1:1/nowhere"}

    result = pipe(mail(), env)

    assert result.returncode == 75
    assert "MTA should retry" in result.stderr.decode()


def test_mail_ingest_refuses_an_empty_input(shared_db):
    result = pipe(b"", shared_db)

    assert result.returncode == 1
    assert "No mail on standard input" in result.stderr.decode()
