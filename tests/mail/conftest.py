"""Mail intake tests: a mailbox, mails written the way real clients and mail
servers write them, and a private Dovecot IMAP server on loopback."""

import imaplib
import os
import shutil
import subprocess
import tempfile
import time
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest

from opsdesk.mail.models import Mailbox

from ..cli.conftest import cli_env, opsdesk, shared_db  # noqa: F401  (fixtures)
from ..conftest import FROZEN_AT
from ..notify.conftest import free_port, smtp_port, smtp_server  # noqa: F401  (fixtures)

DESK_ADDRESS = "servicedesk@ops.example.cn"
DOVECOT = Path("/usr/sbin/dovecot")


@pytest.fixture(autouse=True)
def mail_settings(settings):
    settings.DEFAULT_FROM_EMAIL = "OpsDesk <desk@ops.example.cn>"
    settings.OPSDESK_EMAIL_DOMAIN = ""
    settings.OPSDESK_EMAIL_REPLY_TO = "replies@ops.example.cn"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return settings


@pytest.fixture
def mailbox(cast):
    return Mailbox.objects.create(name="servicedesk", address=DESK_ADDRESS, team=cast.desk,
                                  category=cast.category)


def mail(*, sender="王建国 <wang.jianguo@customer.example.com>", subject="打印机无法打印",
         body="三楼的打印机从早上开始无法打印，请尽快处理。",
         message_id="<m1@customer.example.com>", in_reply_to=None, references=None,
         headers=None, attachments=(), to=DESK_ADDRESS) -> bytes:
    """A mail as a client sends it (UTF-8, quoted-printable or base64 as needed)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(FROZEN_AT)
    if message_id:
        message["Message-ID"] = message_id
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = references
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    for filename, content_type, payload in attachments:
        maintype, subtype = content_type.split("/")
        message.add_attachment(payload, maintype=maintype, subtype=subtype, filename=filename)
    return bytes(message)


def bounce_of(message_id: str, recipient: str, *, mid="<bounce1@mx.customer.example.com>"
              ) -> bytes:
    """A delivery-status report (RFC 3464) as Postfix writes it."""
    return (
        "From: MAILER-DAEMON@mx.customer.example.com (Mail Delivery System)\r\n"
        f"To: {DESK_ADDRESS}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: {mid}\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n'
        "\r\n--B\r\nContent-Type: text/plain\r\n\r\n"
        "This is the mail system. Your message could not be delivered.\r\n"
        f"<{recipient}>: host mx said: 550 5.1.1 User unknown\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.customer.example.com\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 User unknown\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        "From: OpsDesk <desk@ops.example.cn>\r\n"
        f"To: {recipient}\r\nSubject: [INC-x] hello\r\nMessage-ID: {message_id}\r\n"
        "--B--\r\n"
    ).encode()


# A private Dovecot ----------------------------------------------------------


class Dovecot:
    """Dovecot on a free loopback port, configured in a temp dir: one user
    (desk / secret) with a maildir, plain login, no TLS."""

    user, password = "desk", "secret"

    def __init__(self):
        # Not under pytest's tmp_path: the mail user must be able to reach it.
        self.root, self.port = Path(tempfile.mkdtemp(prefix="opsdesk-dovecot-")), free_port()
        self.root.chmod(0o755)
        self.process = None

    def start(self):
        (self.root / "mail").mkdir()
        (self.root / "users").write_text(f"{self.user}:{{PLAIN}}{self.password}\n")
        if os.geteuid() == 0:
            # Dovecot refuses to run logins or mail access as root.
            login_user, mail_user = "dovenull", "dovecot"
            shutil.chown(self.root / "mail", mail_user, mail_user)
        else:
            login_user = mail_user = os.environ.get("USER") or str(os.geteuid())
        (self.root / "dovecot.conf").write_text(f"""
base_dir = {self.root}/run
state_dir = {self.root}/state
log_path = {self.root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
default_internal_user = {mail_user}
default_internal_group = {mail_user}
default_login_user = {login_user}
first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:{self.root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {self.root}/users
}}
userdb {{
  driver = static
  args = uid={mail_user} gid={mail_user} home={self.root}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
""")
        self.process = subprocess.Popen(
            [str(DOVECOT), "-F", "-c", str(self.root / "dovecot.conf")],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60  # a loaded CI machine starts it slowly
        while time.monotonic() < deadline:
            try:
                self.client().logout()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("dovecot did not start: " + self.log())

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text() if path.exists() else ""

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
        shutil.rmtree(self.root, ignore_errors=True)

    def client(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        client.login(self.user, self.password)
        return client

    def append(self, *raws: bytes, folder: str = "INBOX") -> None:
        client = self.client()
        try:
            for raw in raws:
                status, data = client.append(folder, None, None, raw)
                assert status == "OK", data
        finally:
            client.logout()

    def flags(self, folder: str = "INBOX") -> list[str]:
        """The FLAGS of each message in `folder`, by UID."""
        client = self.client()
        try:
            client.select(folder)
            _status, data = client.uid("fetch", "1:*", "(FLAGS)")
            return [] if data == [None] else [item.decode() for item in data]
        finally:
            client.logout()

    def count(self, folder: str) -> int:
        client = self.client()
        try:
            _status, data = client.select(folder)
            return int(data[0])
        finally:
            client.logout()

    def create(self, folder: str) -> None:
        client = self.client()
        try:
            client.create(folder)
        finally:
            client.logout()


@pytest.fixture
def dovecot():
    if not DOVECOT.exists():
        pytest.skip("Dovecot is not installed (apt-get install dovecot-imapd)")
    server = Dovecot()
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def imap_mailbox(dovecot, cast, monkeypatch):
    monkeypatch.setenv("DESK_IMAP_PASSWORD", dovecot.password)
    return Mailbox.objects.create(
        name="imapdesk", address=DESK_ADDRESS, team=cast.desk, imap_host="127.0.0.1",
        imap_port=dovecot.port, imap_ssl=False, imap_username=dovecot.user,
        imap_password_env="DESK_IMAP_PASSWORD",
    )
