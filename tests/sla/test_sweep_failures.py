"""One incident whose escalation cannot fire must not stall the sweep (issue
3): the others in its batch fire, the broken one is logged, rests a while
and is reported by `opsdesk check` as overdue until it can fire again."""

import logging
from datetime import timedelta

import pytest

from opsdesk.incidents.models import Incident
from opsdesk.sla.sweep import RETRY_FAILED_AFTER, SlaSweep
from tests.incidents.test_escalation import fired, mails, overdue

# A snapshot whose calendar lacks everything but its name: the matrix steps
# cannot be computed from it, so deciding what is due raises.
UNREADABLE_CALENDAR = {"name": "工作日 09:00-18:00"}


@pytest.fixture
def batch(cast):
    """Make `count` P3 incidents, their responses due at 10:15; the first
    one's snapshot cannot be read, and it is the longest overdue."""
    cast.l2.lead = cast.l2_colleague_sun
    cast.l2.save()

    def make(count: int = 5) -> tuple[Incident, list[Incident]]:
        incidents = [cast.log(title=f"网银登录缓慢 {n}") for n in range(count)]
        broken = incidents[0]
        Incident.objects.filter(pk=broken.pk).update(
            sla_snapshot={**broken.sla_snapshot, "calendar": UNREADABLE_CALENDAR},
            next_escalation_at=broken.next_escalation_at - timedelta(minutes=1))
        return broken, incidents[1:]

    return make


def run(sweep: SlaSweep) -> int:
    """Call the sweep until nothing is due (at most 10 times); how many calls
    did work."""
    for calls in range(10):
        if not sweep.handle_one():
            return calls
    raise AssertionError("the sweep keeps finding work: it is spinning on something")


def test_the_others_fire_and_the_broken_one_is_logged_and_left_overdue(
        batch, frozen, caplog):
    broken, others = batch(SlaSweep.batch_size + 5)  # more than one batch
    before = Incident.objects.get(pk=broken.pk).next_escalation_at
    frozen.shift(timedelta(minutes=15))  # 10:15: every response is due
    sweep = SlaSweep()

    with caplog.at_level(logging.WARNING, logger="opsdesk.sla"):
        assert run(sweep) == 2  # two batches, then nothing is due for this worker

    for incident in others:
        assert fired(incident) == ["response_breach"]
        assert mails(incident) == [("escalated", "engineer_sun@example.com"),
                                   ("escalated", "lead_wang@example.com")]
        assert Incident.objects.get(pk=incident.pk).response_breached is True
    assert fired(broken) == [] and mails(broken) == []
    unchanged = Incident.objects.get(pk=broken.pk)
    assert (unchanged.next_escalation_at, unchanged.response_breached) == (before, False)
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert [r.getMessage() for r in errors] == [  # once: the second batch did not hold it
        f"sla-sweep: escalating incident id {broken.pk} failed; trying again after 0:05:00"]
    assert errors[0].exc_info[0] is KeyError

    # `opsdesk check`: the broken one is overdue, the others are not.
    frozen.shift(timedelta(minutes=1))
    assert overdue() == "1"


def test_the_broken_one_is_tried_again_later_and_fires_once_repaired(batch, frozen, caplog):
    broken, _others = batch()
    frozen.shift(timedelta(minutes=15))
    sweep = SlaSweep()
    run(sweep)

    caplog.clear()
    frozen.shift(RETRY_FAILED_AFTER - timedelta(seconds=1))
    assert run(sweep) == 0  # still resting
    frozen.shift(timedelta(seconds=1))
    assert run(sweep) == 1  # tried again, failed again
    assert [r.levelno for r in caplog.records if r.levelno >= logging.WARNING] == [
        logging.WARNING, logging.ERROR]
    assert fired(broken) == []

    # The instance still holds the snapshot as it was before it broke.
    Incident.objects.filter(pk=broken.pk).update(sla_snapshot=broken.sla_snapshot)
    frozen.shift(RETRY_FAILED_AFTER)
    assert run(sweep) == 1
    assert fired(broken) == ["response_breach"]
    assert overdue() == "0"


def test_a_new_worker_tries_the_broken_one_again_at_once(batch, frozen):
    broken, _others = batch()
    frozen.shift(timedelta(minutes=15))
    run(SlaSweep())
    # Another worker (or this one restarted) knows nothing of the failure.
    assert run(SlaSweep()) == 1
    assert fired(broken) == []
