"""Real servers on loopback for the channels to talk to: an SMTP server
(aiosmtpd) that keeps every mail it accepts, and an HTTP server that keeps
every request and answers what the test tells it to."""

import asyncio
import json
import logging
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

from opsdesk.core.outbox import DeliverNotifications

from ..cli.conftest import (  # noqa: F401  (fixtures)
    OPSDESK,
    cli_env,
    opsdesk,
    shared_db,
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    """An aiosmtpd handler: every accepted message, parsed.

    A test can hold senders by clearing `gate`: each sender then waits at
    the stage `hold_at` names, and `held` lists the envelope senders waiting.
    At "RCPT" its message is not complete, so a sender killed there has sent
    nothing; at "DATA" the server has accepted the message but not yet said so.
    """

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()
        self.delay = 0.0  # seconds per message: a slower server makes workers overlap
        self.gate = threading.Event()
        self.gate.set()
        self.hold_at = "RCPT"
        self.held: list[str] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        await self._pass_gate("RCPT", envelope)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.delay)
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        with self.lock:
            self.messages.append(message)
        await self._pass_gate("DATA", envelope)
        return "250 Message accepted"

    async def _pass_gate(self, stage: str, envelope) -> None:
        if stage != self.hold_at or self.gate.is_set():
            return
        with self.lock:
            self.held.append(envelope.mail_from)
        while not self.gate.is_set():
            await asyncio.sleep(0.01)
        with self.lock:
            self.held.remove(envelope.mail_from)


def header(mail: EmailMessage, name: str) -> str:
    """A header as a mail client shows it: Django folds long ones onto a
    continuation line, and unfolding leaves the space after the colon."""
    return str(mail[name]).strip()


class SmtpServer:
    def __init__(self, port: int):
        self.port = port
        self.mailbox = Mailbox()
        self.controller = None

    def start(self):
        # aiosmtpd logs every command it reads: thousands of lines in the
        # crash test, written by the process that also counts the mail.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self) -> list[EmailMessage]:
        return self.mailbox.messages


@pytest.fixture
def smtp_port(settings) -> int:
    """Django's mail settings pointed at a loopback port with nobody listening yet."""
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "OpsDesk <desk@ops.example.cn>"
    return port


@pytest.fixture
def smtp_server(smtp_port):
    server = SmtpServer(smtp_port)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_later(smtp_port):
    """An SMTP server the test starts when it wants (the mail server was down)."""
    server = SmtpServer(smtp_port)
    yield server
    server.stop()


@dataclass
class Received:
    path: str
    headers: Message  # case-insensitive, like HTTP
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class HttpRecorder:
    url: str
    requests: list[Received] = field(default_factory=list)
    status: int = 200
    reply: dict = field(default_factory=lambda: {"errcode": 0, "errmsg": "ok"})


@pytest.fixture
def http_recorder():
    """A tiny HTTP server that records each POST and answers with
    `recorder.status` and `recorder.reply` as JSON."""
    recorder = None

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            recorder.requests.append(Received(self.path, self.headers, body))
            answer = json.dumps(recorder.reply).encode()
            self.send_response(recorder.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    recorder = HttpRecorder(url=f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield recorder
    server.shutdown()
    server.server_close()


def wait_for(condition, *, timeout: float, what: str, state=lambda: ""):
    """Poll `condition` until it holds (its value is returned) or fail the test."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what} {state()}")
        time.sleep(0.1)
    return result


def deliver_all() -> int:
    """Run the delivery handler until nothing is due; how many rows it took."""
    handler, taken = DeliverNotifications(), 0
    while handler.handle_one():
        taken += 1
    return taken


class WorkerProcesses:
    """Real `opsdesk worker` processes against the test database. Each
    writes its log to a file of its own (a full pipe would stall it) and
    sends its mail from an address of its own, `sender(process)`, so the
    SMTP server can tell who is sending."""

    def __init__(self, env: dict, log_dir):
        self.env = env
        self.log_dir = log_dir
        self.started: list[subprocess.Popen] = []

    def start(self, *args: str) -> subprocess.Popen:
        number = len(self.started)
        env = {**self.env, "OPSDESK_EMAIL_FROM": f"OpsDesk <worker{number}@ops.example.cn>"}
        with open(self.log_dir / f"worker-{number}.log", "w") as log:
            process = subprocess.Popen([str(OPSDESK), "worker", *args], env=env,
                                       stdin=subprocess.DEVNULL, stdout=log,
                                       stderr=subprocess.STDOUT)
        self.started.append(process)
        return process

    def sender(self, process: subprocess.Popen) -> str:
        return f"worker{self.started.index(process)}@ops.example.cn"

    def logs(self) -> str:
        return "\n".join(path.read_text() for path in sorted(self.log_dir.glob("worker-*.log")))

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.terminate()
        for process in self.started:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def worker_processes(shared_db, smtp_server, tmp_path):  # noqa: F811
    """Start workers with `worker_processes.start("--interval", "0.2")`: they
    mail `smtp_server`; any still running are stopped before the database is
    flushed."""
    env = {**shared_db, "OPSDESK_EMAIL_HOST": "127.0.0.1",
           "OPSDESK_EMAIL_PORT": str(smtp_server.port)}
    workers = WorkerProcesses(env, tmp_path)
    yield workers
    workers.stop_all()
