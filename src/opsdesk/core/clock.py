"""The one source of "now". Tests freeze it with time_machine."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.utils import timezone

_frozen_now: ContextVar[datetime | None] = ContextVar("opsdesk_frozen_now", default=None)


def now() -> datetime:
    return _frozen_now.get() or timezone.now()


def today_local():
    return timezone.localdate(now())


@contextmanager
def frozen_at(moment: datetime) -> Iterator[None]:
    """Make now() return `moment` in this thread (or task) only.

    For the demo loader, which replays weeks of history through the real
    actions at runtime, where time_machine (a test dependency) is not
    installed. A context variable keeps the web threads of `opsdesk serve`
    on real time meanwhile.
    """
    if timezone.is_naive(moment):
        raise ValueError("frozen_at needs an aware datetime")
    token = _frozen_now.set(moment)
    try:
        yield
    finally:
        _frozen_now.reset(token)
