"""Races between connections: numbering, idempotent creates, version checks.
Each thread has its own database connection, as each web process would."""

import threading

import pytest
from django.db import connection

from opsdesk.core import idempotency
from opsdesk.core.errors import VersionConflict
from opsdesk.incidents import actions
from opsdesk.incidents.models import Incident

from .helpers import act


def in_threads(count: int, work) -> tuple[list, list]:
    """Run work(i) in `count` threads released together; return (results, errors)."""
    start = threading.Barrier(count)
    results, errors = [], []

    def run(index):
        try:
            start.wait()
            results.append(work(index))
        except Exception as error:  # every failure is reported to the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors


def create_many(cast, threads: int, each: int):
    def work(index):
        return [cast.log(title=f"批量告警 {index}-{n}").number for n in range(each)]

    results, errors = in_threads(threads, work)
    assert errors == []
    return sorted(number for numbers in results for number in numbers)


@pytest.mark.postgres_only
def test_concurrent_creates_get_distinct_numbers_without_gaps(tx_cast):
    numbers = create_many(tx_cast, threads=8, each=25)
    assert numbers == [f"INC-20261123-{n:04d}" for n in range(1, 201)]
    assert Incident.objects.count() == 200


def test_concurrent_creates_on_a_sqlite_file_queue_up_instead_of_failing(tx_cast):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite write lock is what this checks")
    numbers = create_many(tx_cast, threads=4, each=10)
    assert numbers == [f"INC-20261123-{n:04d}" for n in range(1, 41)]


@pytest.mark.postgres_only
def test_concurrent_creates_with_one_idempotency_key_make_one_incident(tx_cast):
    digest = idempotency.request_digest({"title": "核心交换机告警"})

    def work(_):
        return actions.log_incident(
            actor=tx_cast.agent_li, source="api", title="核心交换机告警", kind="alert",
            channel="api", impact="high", urgency="critical", idempotency_key="alert-7731",
            idempotency_digest=digest).number

    numbers, errors = in_threads(6, work)
    assert errors == []
    assert numbers == ["INC-20261123-0001"] * 6
    assert Incident.objects.count() == 1


@pytest.mark.postgres_only
def test_of_two_updates_from_one_version_exactly_one_wins(tx_cast):
    incident = tx_cast.log()

    def work(index):
        return act(actions.update_incident, incident, tx_cast.agent_li,
                   changes={"title": f"并发修改 {index}"}).title

    winners, errors = in_threads(2, work)
    assert len(winners) == 1
    assert [type(error) for error in errors] == [VersionConflict]
    stored = Incident.objects.get(pk=incident.pk)
    assert (stored.title, stored.version) == (winners[0], incident.version + 1)
