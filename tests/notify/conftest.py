"""Real servers on loopback for the channels to talk to: an SMTP server
(aiosmtpd) that keeps every mail it accepts, and an HTTP server that keeps
every request and answers what the test tells it to."""

import asyncio
import json
import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

from opsdesk.core.outbox import DeliverNotifications

from ..cli.conftest import cli_env, opsdesk, shared_db  # noqa: F401  (fixtures)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    """An aiosmtpd handler: every accepted message, parsed."""

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()
        self.delay = 0.0  # seconds per message: a slower server makes workers overlap

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.delay)
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 Message accepted"


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


def deliver_all() -> int:
    """Run the delivery handler until nothing is due; how many rows it took."""
    handler, taken = DeliverNotifications(), 0
    while handler.handle_one():
        taken += 1
    return taken
