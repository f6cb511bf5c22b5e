"""The worker reminds the commander when a status update is due and none
was posted: once per due time, never after an update or after lifting."""

import threading

import pytest
from django.db import connection

from opsdesk.core.models import Notification
from opsdesk.major import actions
from opsdesk.major.handlers import RemindDueUpdates

from .conftest import declare, minutes


def reminders() -> list[tuple[str, str]]:
    return list(Notification.objects.filter(event="major_update_due").order_by("id")
                .values_list("recipient__username", "subject"))


def test_the_commander_is_reminded_once_per_due_time(crew, frozen):
    major = declare(crew, commander=crew.engineer_chen, team=[])
    handler = RemindDueUpdates()
    frozen.shift(minutes(29))
    assert handler.handle_one() is False

    frozen.shift(minutes(1))
    assert handler.handle_one() is True
    assert handler.handle_one() is False
    assert reminders() == [("engineer_chen", "请发布重大事件进展通报：网银系统登录缓慢")]
    body = Notification.objects.get(event="major_update_due").body
    assert "应于 2026-11-23 10:30 发布" in body

    frozen.shift(minutes(30))  # 11:00: the next due time, still no update
    assert handler.handle_one() is True
    assert handler.handle_one() is False
    assert len(reminders()) == 2
    major.refresh_from_db()
    assert major.next_reminder_at == major.declared_at + minutes(90)


def test_an_update_moves_the_due_time(crew, frozen):
    major = declare(crew)
    frozen.shift(minutes(20))
    actions.post_update(major, actor=crew.engineer_chen, source="web", text="定位中")
    handler = RemindDueUpdates()

    frozen.shift(minutes(15))  # 10:35: due was 10:30 before the update, now 10:50
    assert handler.handle_one() is False
    frozen.shift(minutes(15))
    assert handler.handle_one() is True
    assert reminders() == [("lead_wang", "请发布重大事件进展通报：网银系统登录缓慢")]


def test_a_worker_back_after_hours_sends_one_reminder(crew, frozen):
    major = declare(crew)
    frozen.shift(minutes(155))  # 12:35: due times 10:30 … 12:30 all missed
    handler = RemindDueUpdates()

    assert handler.handle_one() is True
    assert handler.handle_one() is False

    assert len(reminders()) == 1
    major.refresh_from_db()
    assert major.next_reminder_at == major.declared_at + minutes(180)


def test_no_reminder_after_the_emergency_is_lifted(crew, frozen):
    major = declare(crew)
    frozen.shift(minutes(10))
    actions.lift(major, actor=crew.lead_wang, source="web",
                 business_recovered_at=major.declared_at + minutes(5))
    frozen.shift(minutes(60))

    assert RemindDueUpdates().handle_one() is False
    assert reminders() == []


@pytest.mark.postgres_only
def test_two_workers_at_once_send_one_reminder(tx_cast, frozen):
    lead = tx_cast.lead_wang
    actions.declare(tx_cast.log(), actor=lead, source="web", reason="交易中断")
    frozen.shift(minutes(31))
    results, barrier = [], threading.Barrier(2)

    def work():
        try:
            barrier.wait()
            results.append(RemindDueUpdates().handle_one())
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(reminders()) == 1
    assert sorted(results) in ([False, True], [True, True])
