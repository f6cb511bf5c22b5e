import signal
import subprocess
import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from opsdesk.core.claims import claim
from opsdesk.core.models import IdempotencyKey, User
from opsdesk.worker import PurgeIdempotencyKeys, Worker

from .conftest import OPSDESK, opsdesk


def _keys(user, count: int, age: timedelta, prefix: str) -> None:
    # The subprocess runs on the real clock, so the ages keep a wide margin.
    created_at = timezone.now() - age
    IdempotencyKey.objects.bulk_create(
        IdempotencyKey(user=user, key=f"{prefix}-{n}", request_digest="d", result="",
                       created_at=created_at)
        for n in range(count)
    )


def test_worker_once_purges_expired_idempotency_keys_and_exits(shared_db):
    user = User.objects.create_user(username="api_client")
    _keys(user, PurgeIdempotencyKeys.batch_size * 2 + 7, timedelta(hours=30), "old")
    _keys(user, 3, timedelta(hours=20), "fresh")
    env = {**shared_db, "OPSDESK_IDEMPOTENCY_HOURS": "24"}

    result = opsdesk("worker", "--once", env=env)

    assert result.returncode == 0, result.stderr
    assert sorted(IdempotencyKey.objects.values_list("key", flat=True)) == [
        "fresh-0", "fresh-1", "fresh-2"]
    assert "deleted 500 expired keys" in result.stderr
    assert "deleted 7 expired keys" in result.stderr


def test_worker_stops_cleanly_on_sigterm(shared_db):
    process = subprocess.Popen(
        [str(OPSDESK), "worker", "--interval", "60"], env=shared_db, text=True,
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        assert "worker started" in process.stderr.readline()
        process.send_signal(signal.SIGTERM)
        # It finishes the piece of work in hand first: allow a loaded machine for that.
        assert process.wait(timeout=60) == 0
        assert "worker stopped" in process.stderr.read()
    finally:
        process.kill()
        process.communicate()


class Countdown:
    """A handler with `work` pieces of work to do."""

    def __init__(self, name: str, work: int):
        self.name, self.work, self.calls = name, work, 0

    def handle_one(self) -> bool:
        self.calls += 1
        if self.work == 0:
            return False
        self.work -= 1
        return True


class Broken:
    name = "broken"

    def handle_one(self) -> bool:
        raise RuntimeError("handler bug")


def test_once_runs_rounds_until_no_handler_has_work(db):
    short, long = Countdown("short", 1), Countdown("long", 3)

    Worker([short, long]).run(once=True)

    assert (short.work, long.work) == (0, 0)
    assert (short.calls, long.calls) == (4, 4)  # three rounds with work, one idle round


def test_a_failing_handler_is_logged_and_does_not_starve_the_others(db, caplog):
    after = Countdown("after", 2)
    worker = Worker([Broken(), after])

    worker.run(once=True)

    assert after.work == 0
    assert worker.failures == 3
    assert "broken failed" in caplog.text and "handler bug" in caplog.text


class Blocking:
    """A slow handler that finishes only once it is released."""

    name = "slow-analysis"
    slow = True

    def __init__(self):
        self.released, self.done = threading.Event(), False

    def handle_one(self) -> bool:
        if self.done:
            return False
        if not self.released.wait(timeout=10):
            raise TimeoutError("never released: the fast handlers waited behind it")
        self.done = True
        return True


def test_a_slow_handler_never_holds_up_the_others(db):
    slow, fast = Blocking(), Countdown("sweep", 3)

    class ReleaseWhenFastIsDone:
        name = "release"

        def handle_one(self) -> bool:
            if fast.work == 0:
                slow.released.set()
            return False

    worker = Worker([slow, fast, ReleaseWhenFastIsDone()])
    worker.run(once=True)

    assert (fast.work, slow.done, worker.failures) == (0, True, 0)


@pytest.mark.postgres_only
def test_claim_skips_rows_another_worker_holds(transactional_db, django_db_serialized_rollback):
    user = User.objects.create_user(username="api_client")
    _keys(user, 5, timedelta(hours=30), "old")
    expired = IdempotencyKey.objects.filter(created_at__lt=timezone.now() - timedelta(hours=24))
    held, release = threading.Event(), threading.Event()
    first_worker = []

    def other_worker():
        try:
            with transaction.atomic():
                first_worker.extend(claim(expired, 2))
                held.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert held.wait(10)
        with transaction.atomic():
            second_worker = claim(expired, 10)
    finally:
        release.set()
        thread.join()

    assert len(first_worker) == 2 and len(second_worker) == 3
    assert set(first_worker).isdisjoint(second_worker)
