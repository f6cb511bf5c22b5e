"""Appends to one record from several connections at once: each event gets
its own seq and chains to the one committed before it; no fork, no loss."""

import threading
import time

import pytest
from django.db import connection, transaction

from opsdesk.audit.verify import verify
from opsdesk.core import timeline
from opsdesk.core.models import TimelineEvent

from ..incidents.test_concurrency import in_threads
from .test_chain import assert_chained


@pytest.mark.postgres_only
def test_single_appends_at_once_all_chain(tx_cast):
    incident = tx_cast.log()

    def work(index):
        for n in range(5):
            with transaction.atomic():
                timeline.record(incident, actor=tx_cast.lead_wang, source="web",
                                kind="comment", note=f"线程 {index} 第 {n} 条")

    _results, errors = in_threads(8, work)
    assert errors == []
    assert len(assert_chained(incident)) == 1 + 8 * 5
    assert verify().ok


@pytest.mark.postgres_only
def test_batches_and_single_appends_on_shared_records_all_chain(tx_cast):
    """Batches touch two records in opposite orders (no deadlock) while
    single appends race them on the same records."""
    first, second = tx_cast.log(title="甲"), tx_cast.log(title="乙")

    def work(index):
        pair = (first, second) if index % 2 else (second, first)
        for n in range(4):
            with transaction.atomic():
                if index < 4:
                    timeline.record_many([
                        timeline.entry(subject, actor=None, source="worker", kind="escalated",
                                       note=f"{index}-{n}") for subject in pair * 2])
                else:
                    timeline.record(pair[0], actor=None, source="web", kind="comment",
                                    note=f"{index}-{n}")

    _results, errors = in_threads(6, work)
    assert errors == []
    events = assert_chained(first) + assert_chained(second)
    assert len(events) == 2 + 4 * 4 * 4 + 2 * 4
    assert verify().ok


@pytest.mark.postgres_only
def test_an_append_waits_for_the_open_transaction_and_chains_after_it(tx_cast):
    incident = tx_cast.log()
    appended, release, done = threading.Event(), threading.Event(), threading.Event()

    def holder():
        try:
            with transaction.atomic():
                timeline.record(incident, actor=None, source="web", kind="comment", note="先")
                appended.set()
                release.wait(30)
        finally:
            connection.close()

    def second():
        try:
            with transaction.atomic():
                timeline.record(incident, actor=None, source="web", kind="comment", note="后")
            done.set()
        finally:
            connection.close()

    threads = [threading.Thread(target=holder)]
    threads[0].start()
    assert appended.wait(30)
    threads.append(threading.Thread(target=second))
    threads[1].start()
    # Both read seq 1 as the newest: the second waits on the first's seq 2.
    assert not done.wait(1)
    release.set()
    for thread in threads:
        thread.join(30)
    assert done.is_set()
    notes = list(TimelineEvent.objects.filter(subject_id=incident.pk, subject_type="incident")
                 .order_by("seq").values_list("seq", "note"))
    assert notes[1:] == [(2, "先"), (3, "后")]
    assert_chained(incident)


@pytest.mark.postgres_only
def test_linking_a_problem_queues_behind_a_writer_holding_the_incident(tx_cast):
    """The SLA sweep holds an incident's row while it appends escalations;
    trend analysis links problems to incidents it has not otherwise locked.
    Were the linker to append first, the holder would wait on the chain's
    next seq and the linker on the row (its link's foreign key check at
    commit): a deadlock, which once failed the daily trend analysis."""
    from opsdesk.incidents.models import Incident
    from opsdesk.problems import actions as problem_actions
    from opsdesk.problems import records

    incident = tx_cast.log()
    problem = problem_actions.create_problem(actor=tx_cast.lead_wang, source="web",
                                             title="负载均衡反复丢包", origin="unknown_cause")
    locked, errors = threading.Event(), []

    def holder():
        try:
            with transaction.atomic():
                Incident.objects.select_for_update().get(pk=incident.pk)
                locked.set()
                time.sleep(1)  # the linker is on its way meanwhile
                timeline.record(incident, actor=None, source="worker", kind="escalated")
        except Exception as error:  # reported to the test
            errors.append(error)
        finally:
            connection.close()

    def linker():
        try:
            with transaction.atomic():
                records.link(problem, incident, actor=tx_cast.lead_wang, source="worker",
                             reason="trend")
        except Exception as error:  # reported to the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=holder)]
    threads[0].start()
    assert locked.wait(30)
    threads.append(threading.Thread(target=linker))
    threads[1].start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    kinds = [event.kind for event in assert_chained(incident)]
    assert kinds[-2:] == ["escalated", "problem_linked"]
