"""Mail intake benchmark: messages/s through `ingest()` in this process (what
the IMAP poller and each `mail-ingest` do per mail), and through the real
`opsdesk mail-ingest` executable, one process per mail, as Postfix's pipe
runs it; on PostgreSQL and SQLite.

    .venv/bin/python -m bench.mail [--messages 1000] [--pipe-messages 50]
        [--database postgresql|sqlite|both]

The generated mails are a realistic mix: 70 % new requests (UTF-8 and GBK,
a third with a small attachment), 20 % replies to our acknowledgements
(threaded by In-Reply-To), 10 % auto-replies (recorded as noise). Each mail
is taken in its own transactions, as in production. Figures are printed,
never asserted. PostgreSQL runs in whatever mode the private cluster is in
(the script says which); it is not restarted, so other users of the cluster
are not disturbed.
"""

import random
import subprocess
import time
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

import psycopg

from bench import harness

DATABASE = "opsdesk_bench_mail"
DESK = "servicedesk@ops.example.cn"


def add_arguments(parser) -> None:
    parser.add_argument("--messages", type=int, default=1000, help="mails through ingest()")
    parser.add_argument("--pipe-messages", type=int, default=50,
                        help="mails through the opsdesk mail-ingest executable")


def new_request(n: int, chance: random.Random) -> bytes:
    message = EmailMessage()
    message["From"] = f"用户{n % 300} <user{n % 300}@customer{n % 40}.example.com>"
    message["To"] = DESK
    message["Subject"] = f"第 {n} 号：{chance.choice(['打印机故障', 'VPN 无法连接', '邮箱满了'])}"
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = f"<bench-{n}@customer.example.com>"
    body = "您好，\n\n" + "系统从今天早上开始无法使用，请尽快处理。\n" * chance.randint(1, 20)
    message.set_content(body, charset="gbk" if n % 2 else "utf-8")
    if n % 3 == 0:
        message.add_attachment(b"x" * 20_000, maintype="application", subtype="octet-stream",
                               filename="log.txt")
    return bytes(message)


def reply_to(n: int, notification) -> bytes:
    message = EmailMessage()
    message["From"] = notification.address
    message["To"] = DESK
    message["Subject"] = f"Re: [{notification.reference}] {notification.subject}"
    message["Message-ID"] = f"<bench-reply-{n}@customer.example.com>"
    message["In-Reply-To"] = notification.message_id
    message.set_content("补充：重启后仍然不行。\n\n> 我们已收到您的邮件")
    return bytes(message)


def auto_reply(n: int) -> bytes:
    message = EmailMessage()
    message["From"] = f"away{n}@customer.example.com"
    message["To"] = DESK
    message["Subject"] = "自动回复：外出"
    message["Message-ID"] = f"<bench-away-{n}@customer.example.com>"
    message["Auto-Submitted"] = "auto-replied"
    message.set_content("我正在休假。")
    return bytes(message)


def mails(count: int, offset: int, chance: random.Random):
    """Yield `count` mails; replies are made from acknowledgements queued so far."""
    from opsdesk.core.models import Notification

    for n in range(offset, offset + count):
        kind = chance.random()
        if kind < 0.2:
            answered = Notification.objects.filter(event="mail_received").order_by("?").first()
            if answered is not None:
                yield reply_to(n, answered)
                continue
        yield auto_reply(n) if kind > 0.9 else new_request(n, chance)


def database_url(kind: str, workdir: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{workdir / (DATABASE + '.sqlite3')}"
    with psycopg.connect(f"{harness.PG_SERVER}/postgres", autocommit=True) as conn:
        fsync = conn.execute("SHOW fsync").fetchone()[0]
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DATABASE}"')
    print(f"PostgreSQL fsync={fsync}" + ("" if fsync == "on" else
                                         " (test mode: production commits cost more)"))
    return f"{harness.PG_SERVER}/{DATABASE}"


def run_one(args, kind: str, workdir: Path) -> None:
    url = database_url(kind, workdir)
    env = harness.setup_django(url, workdir)
    from django.conf import settings
    from django.core.management import call_command

    from opsdesk.incidents.models import Incident
    from opsdesk.mail.ingest import ingest
    from opsdesk.mail.models import InboundMessage, Mailbox

    call_command("migrate", verbosity=0)
    settings.OPSDESK_MAIL_RATE_PER_HOUR = 1_000_000
    mailbox = Mailbox.objects.create(name="servicedesk", address=DESK)
    chance = random.Random(4)

    for raw in mails(50, 1_000_000, chance):  # warm-up: caches, the robot user, the matrix
        ingest(mailbox, raw)
    batch = list(mails(args.messages, 0, chance))
    started = time.perf_counter()
    outcomes = [ingest(mailbox, raw).outcome for raw in batch]
    elapsed = time.perf_counter() - started
    counts = {str(outcome): outcomes.count(outcome) for outcome in sorted(set(outcomes))}
    print(f"{harness.database_label(url)}: ingest() {len(batch)} mails in {elapsed:.1f} s = "
          f"{len(batch) / elapsed:.0f} mails/s, {1000 * elapsed / len(batch):.1f} ms each "
          f"({counts})")

    piped = list(mails(args.pipe_messages, 2_000_000, chance))
    harness.close_django_connections()
    started = time.perf_counter()
    for raw in piped:
        done = subprocess.run([harness.BIN / "opsdesk", "mail-ingest", "--mailbox", "servicedesk"],
                              input=raw, env={**env, "OPSDESK_MAIL_RATE_PER_HOUR": "1000000"},
                              capture_output=True)
        if done.returncode != 0:
            raise SystemExit(f"mail-ingest exited {done.returncode}: {done.stderr.decode()}")
    elapsed = time.perf_counter() - started
    print(f"{harness.database_label(url)}: opsdesk mail-ingest {len(piped)} mails in "
          f"{elapsed:.1f} s = {len(piped) / elapsed:.1f} mails/s "
          f"({1000 * elapsed / len(piped):.0f} ms each, mostly process start-up)")
    print(f"stored {InboundMessage.objects.count()} mails, {Incident.objects.count()} incidents")


if __name__ == "__main__":
    harness.run_per_database(__doc__.splitlines()[0], add_arguments, run_one)
