"""The daily trend analysis among other work on PostgreSQL: what it locks,
and two workers proposing at once."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction

from opsdesk.core.models import ConfigurationItem
from opsdesk.incidents.models import Incident
from opsdesk.problems import trends
from opsdesk.problems.models import Problem

from ..incidents.test_concurrency import in_threads

pytestmark = pytest.mark.postgres_only


def _recurring(cast, frozen, ci, count=3):
    logged = []
    for _ in range(count):
        logged.append(cast.log(title=f"{ci.name} 数据库连接数打满", ci=ci))
        frozen.shift(timedelta(hours=6))
    return logged


def _two_clusters(cast, frozen):
    other = ConfigurationItem.objects.create(name="db-core-02", ci_type="database",
                                             customer=cast.customer)
    return _recurring(cast, frozen, cast.ci), _recurring(cast, frozen, other)


def _an_agent_could_lock(incident) -> bool:
    """Whether another connection gets the incident's row at once."""
    def probe(_index):
        try:
            with transaction.atomic():
                return bool(Incident.objects.select_for_update(nowait=True)
                            .filter(pk=incident.pk).values_list("pk", flat=True))
        except DatabaseError:
            return False

    (lockable,), errors = in_threads(1, probe)
    assert errors == []
    return lockable


def test_a_proposal_locks_its_incidents_only_while_it_is_written(tx_cast, frozen):
    first, _second = _two_clusters(tx_cast, frozen)
    probes = []

    def probe_when_writing_the_second(execute, sql, params, many, context):
        if sql.startswith('INSERT INTO "problems_problem"') and Problem.objects.exists():
            probes.append(_an_agent_could_lock(first[0]))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(probe_when_writing_the_second):
        assert len(trends.run_daily()) == 2

    assert probes == [True]


def test_two_workers_at_once_propose_each_recurrence_once(tx_cast, frozen):
    first, second = _two_clusters(tx_cast, frozen)

    results, errors = in_threads(2, lambda _index: trends.propose())

    assert errors == []
    assert sum(len(proposed) for proposed in results) == 2
    assert {frozenset(problem.incidents.values_list("pk", flat=True))
            for problem in Problem.objects.all()} == {
        frozenset(incident.pk for incident in first),
        frozenset(incident.pk for incident in second)}
