"""The background worker: a loop over handlers, each taking one bounded piece
of due work per call.

A handler's `handle_one()` returns True when it did something (so there may
be more: call again at once) and False when nothing is due. Handlers find
their work with indexed queries and claim it with `claim()` so that several
workers, in one process or many, never do the same piece twice. Nothing is
held in memory between calls: a worker that dies loses nothing.
"""

import logging
import signal
import threading
from datetime import timedelta
from importlib import import_module
from typing import Protocol

from django.conf import settings
from django.db import close_old_connections, connections, transaction

from opsdesk.core import clock
from opsdesk.core.claims import claim
from opsdesk.core.models import IdempotencyKey
from opsdesk.core.outbox import DeliverNotifications
from opsdesk.sla.sweep import SlaSweep

log = logging.getLogger("opsdesk.worker")

DEFAULT_INTERVAL_SECONDS = 5.0


class Handler(Protocol):
    name: str

    def handle_one(self) -> bool: ...


class PurgeIdempotencyKeys:
    """Forget API Idempotency-Keys older than OPSDESK_IDEMPOTENCY_HOURS."""

    name = "purge-idempotency-keys"
    batch_size = 500

    def handle_one(self) -> bool:
        cutoff = clock.now() - timedelta(hours=settings.OPSDESK_IDEMPOTENCY_HOURS)
        with transaction.atomic():
            expired = claim(IdempotencyKey.objects.filter(created_at__lt=cutoff), self.batch_size)
            if expired:
                IdempotencyKey.objects.filter(pk__in=expired).delete()
        if expired:
            log.info("%s: deleted %d expired keys", self.name, len(expired))
        return bool(expired)


# Apps whose `handlers()` add to the loop.
APP_HANDLERS = ("opsdesk.mail.handlers", "opsdesk.portal.handlers", "opsdesk.problems.handlers",
                "opsdesk.changes.handlers", "opsdesk.major.handlers", "opsdesk.reports.handlers")


def default_handlers() -> list[Handler]:
    handlers = [PurgeIdempotencyKeys(), SlaSweep(), DeliverNotifications()]
    for module in APP_HANDLERS:
        handlers.extend(import_module(module).handlers())
    return handlers


class Worker:
    """Runs the handlers in turn. Handlers marked `slow` (a daily analysis that
    may take a minute) get a loop of their own in a second thread, so that
    escalations and notifications never wait behind them."""

    def __init__(self, handlers: list[Handler] | None = None, *,
                 interval: float = DEFAULT_INTERVAL_SECONDS):
        if interval <= 0:
            raise ValueError("interval must be positive")
        self.handlers = default_handlers() if handlers is None else handlers
        self.interval = interval
        self.stopping = threading.Event()
        self.failures = 0
        self._failures_lock = threading.Lock()

    def run_round(self, handlers: list[Handler] | None = None) -> bool:
        """Give every handler one turn; True if any of them did work."""
        did_work = False
        for handler in self.handlers if handlers is None else handlers:
            if self.stopping.is_set():
                break
            try:
                did_work |= handler.handle_one()
            except Exception:
                # One failing handler must not starve the others; it is retried
                # on the next round, after the pause.
                log.exception("%s failed", handler.name)
                with self._failures_lock:
                    self.failures += 1
            finally:
                close_old_connections()
        return did_work

    def run(self, *, once: bool = False) -> None:
        """Loop until stopped. With `once`, stop as soon as nothing is due."""
        log.info("worker started: %s", ", ".join(h.name for h in self.handlers))
        slow = [handler for handler in self.handlers if getattr(handler, "slow", False)]
        fast = [handler for handler in self.handlers if handler not in slow]
        lane = None
        if slow:
            lane = threading.Thread(target=self._loop, args=(slow, once),
                                    name="opsdesk-worker-slow", daemon=True)
            lane.start()
        self._loop(fast, once)
        if lane is not None:
            lane.join()
        log.info("worker stopped")

    def _loop(self, handlers: list[Handler], once: bool) -> None:
        try:
            while not self.stopping.is_set():
                if self.run_round(handlers):
                    continue
                if once:
                    break
                self.stopping.wait(self.interval)
        finally:
            if threading.current_thread() is not threading.main_thread():
                connections.close_all()

    def stop(self, *_signal_args) -> None:
        self.stopping.set()

    def stop_on_signals(self) -> None:
        """Finish the current piece of work on SIGTERM/SIGINT, then exit."""
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self.stop)
