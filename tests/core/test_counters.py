"""Named counters: each call returns the next value of its own sequence."""

from django.db import transaction

from opsdesk.core.counters import next_value
from opsdesk.core.models import Counter


def test_a_counter_starts_at_one_and_counts_up(db):
    assert [next_value("incident:20261123") for _ in range(3)] == [1, 2, 3]
    assert Counter.objects.get(key="incident:20261123").value == 3


def test_counters_are_independent(db):
    next_value("incident:20261123")
    next_value("incident:20261123")
    assert next_value("incident:20261124") == 1
    assert next_value("problem:20261123") == 1


def test_a_rolled_back_increment_is_given_out_again(db):
    next_value("k")
    try:
        with transaction.atomic():
            assert next_value("k") == 2
            raise RuntimeError("the create failed")
    except RuntimeError:
        pass
    assert next_value("k") == 2
