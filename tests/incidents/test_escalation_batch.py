"""The sweep fires a claimed batch set-wise (issue 3: a tick with 100 due in
50 ms): the same number of queries for one due incident as for twenty, and
the same rows, in the same order, as firing them one at a time."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from opsdesk.core import timeline
from opsdesk.core.models import NotificationPreference, NotificationTarget
from opsdesk.incidents.models import Escalation
from opsdesk.sla.sweep import SlaSweep

from .test_escalation import P1, escalation_notes, fired, mails


@pytest.fixture
def managers(cast):
    """An L2 lead: a missed response tells them and the incident manager."""
    cast.l2.lead = cast.l2_colleague_sun
    cast.l2.save()
    return cast


def queries_of_one_call() -> int:
    with CaptureQueriesContext(connection) as captured:
        assert SlaSweep().handle_one()
    return len(captured.captured_queries)


def test_a_batch_of_twenty_costs_the_queries_of_one(managers, frozen):
    lone = managers.log(title="单个事件")
    frozen.shift(timedelta(minutes=15))
    one = queries_of_one_call()
    assert fired(lone) == ["response_breach"]

    batch = [managers.log(title=f"批量事件 {n}") for n in range(20)]
    frozen.shift(timedelta(minutes=15))
    assert queries_of_one_call() == one
    assert all(fired(incident) == ["response_breach"] for incident in batch)


def test_a_batch_fires_every_ticket_as_one_at_a_time_would(managers, frozen):
    """A P1 ticket three hours late (eight steps) and P3 tickets due once,
    in one batch: each ticket's steps in order, its timeline and its mails."""
    robot = NotificationTarget.objects.create(
        name="二线群机器人", kind="wecom", url="https://qyapi.weixin.qq.com/hook")
    NotificationPreference.objects.create(user=managers.l2_colleague_sun, channel="wecom",
                                          target=robot)
    p1 = managers.log(**P1)
    p3s = [managers.log(title=f"批量事件 {n}") for n in range(3)]
    frozen.shift(timedelta(hours=3))

    with translation.override("en"):
        assert SlaSweep().handle_one()

    assert fired(p1) == [
        "p1_logged", "response_breach", "matrix:team_lead", "matrix:incident_manager",
        "matrix:service_manager", "matrix:ops_director", "matrix:leadership",
        "resolution_breach"]
    assert [mail for mail in mails(p1) if mail[0] == "escalated"][:3] == [
        ("escalated", "engineer_sun@example.com"), ("escalated", ""),  # sun's robot
        ("escalated", "lead_wang@example.com")]
    for incident in p3s:
        assert fired(incident) == ["response_breach", "matrix:team_lead",
                                   "matrix:incident_manager"]
        assert escalation_notes(incident) == [
            "Response SLA 100% elapsed: functional escalation to L2 support. "
            "Notified: Support engineer 孙磊, Incident manager 王芳.",
            "Escalation matrix for P3: 120 minutes since registration (business time). "
            "Notified: nobody (no one holds this role).",
            "Escalation matrix for P3: 120 minutes since registration (business time). "
            "Notified: Incident manager 王芳."]
        assert mails(incident) == [
            ("escalated", "engineer_sun@example.com"), ("escalated", ""),
            ("escalated", "lead_wang@example.com"), ("escalated", "lead_wang@example.com")]
        events = [e for e in timeline.events_of(incident) if e.kind == "escalated"]
        assert events[0].changes == {"escalation": [None, "response_breach"],
                                     "level": [None, "l2"],
                                     "response_breached": [False, True]}
    # One row per ticket and step, whatever the batch.
    assert Escalation.objects.count() == 8 + 3 * 3
