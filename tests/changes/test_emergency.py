"""Emergency changes during an urgent incident (CHG-04, INC-17): carried out
first, recorded afterwards (补录) within OPSDESK_EMERGENCY_RECORD_HOURS, the
unrecorded ones in the change manager's queue and reminded once; a failed
change raises an incident caused by it (CHG-03)."""

from datetime import timedelta

import pytest
from django.utils import translation

from opsdesk.changes import actions, queries
from opsdesk.changes.handlers import UnrecordedEmergencyReminder
from opsdesk.core import timeline
from opsdesk.core.errors import Forbidden, Invalid, TransitionNotAllowed
from opsdesk.core.models import Notification
from opsdesk.incidents.models import Incident

from .conftest import MEDIUM_RISK, fresh, step, walk_to


@pytest.fixture
def urgent(board):
    return board.log(impact="high", urgency="critical", title="网银全部无法登录")


def _log(cast, incident, actor=None):
    return actions.log_emergency_change(actor=actor or cast.engineer_chen, source="web",
                                        incident=incident, title="紧急重启 vm-web-01 应用服务")


def test_an_emergency_change_starts_implementing_linked_to_the_incident(board, urgent):
    change = _log(board, urgent)

    assert (change.kind, change.state, change.owner, change.implementer_team) == (
        "emergency", "implementing", board.engineer_chen, board.l2)
    assert change.record_due_at == change.created_at + timedelta(hours=24)
    assert list(change.cis.all()) == [board.ci]
    assert [(link.incident, link.relation) for link in change.incident_links.all()] == [
        (urgent, "emergency_for")]
    assert "change_linked" in [event.kind for event in timeline.events_of(urgent)]


def test_only_for_an_urgent_incident_and_by_those_who_carry_changes_out(board):
    ordinary = board.log()
    with translation.override("en"), pytest.raises(Invalid) as refused:
        _log(board, ordinary)
    assert "urgent (P1)" in refused.value.fields["incident"]
    urgent = board.log(impact="high", urgency="critical")
    with pytest.raises(Forbidden):
        _log(board, urgent, actor=board.agent_li)


def test_the_record_deadline_comes_from_the_setting(board, urgent, settings):
    settings.OPSDESK_EMERGENCY_RECORD_HOURS = 4
    change = _log(board, urgent)
    assert change.record_due_at == change.created_at + timedelta(hours=4)


def test_recording_in_time_keeps_it_out_of_the_queue(board, urgent, frozen):
    change = _log(board, urgent)
    change = step(actions.complete, change, board.engineer_chen, text="重启后恢复")
    with pytest.raises(TransitionNotAllowed):
        step(actions.review, change, board.change_manager_xu, text="复盘")
    with pytest.raises(Invalid) as refused:
        step(actions.record_emergency, change, board.engineer_chen, reason="")
    assert set(refused.value.fields) == {"reason", "implementation_plan", "rollback_plan"}

    frozen.shift(timedelta(hours=23))
    change = step(actions.record_emergency, change, board.engineer_chen,
                  reason="应用假死导致网银不可用", implementation_plan="重启应用服务",
                  rollback_plan="无需回退", risk_answers=MEDIUM_RISK)
    frozen.shift(timedelta(hours=2))

    assert change.recorded_at is not None and change.risk_level == "medium"
    assert not queries.queue(board.change_manager_xu, "unrecorded").exists()
    assert UnrecordedEmergencyReminder().handle_one() is False
    change = step(actions.review, change, board.change_manager_xu, text="复盘完成")
    assert change.state == "reviewed"
    with pytest.raises(TransitionNotAllowed):
        step(actions.record_emergency, change, board.engineer_chen, reason="再补一次",
             implementation_plan="x", rollback_plan="y")


def test_an_unrecorded_one_shows_in_the_queue_and_the_manager_is_reminded_once(
        board, urgent, frozen):
    change = _log(board, urgent)
    xu = board.change_manager_xu
    frozen.shift(timedelta(hours=23, minutes=59))
    assert not queries.queue(xu, "unrecorded").exists()
    assert UnrecordedEmergencyReminder().handle_one() is False

    frozen.shift(timedelta(minutes=1))
    assert list(queries.queue(xu, "unrecorded")) == [change]
    assert UnrecordedEmergencyReminder().handle_one() is True
    assert UnrecordedEmergencyReminder().handle_one() is False

    reminder = Notification.objects.get(event="change_unrecorded")
    assert reminder.recipient == xu
    assert reminder.subject == "紧急变更未按时补录：紧急重启 vm-web-01 应用服务"
    assert "2026-11-24 10:00" in reminder.body and change.number in reminder.body
    assert [e.kind for e in timeline.events_of(change)][-1] == "unrecorded_reminder"

    # Recorded late: out of the queue, and the timeline says it was late.
    frozen.shift(timedelta(hours=1))
    step(actions.record_emergency, change, board.engineer_chen, reason="应用假死",
         implementation_plan="重启", rollback_plan="无")
    assert not queries.queue(xu, "unrecorded").exists()
    recorded = timeline.events_of(change).last()
    assert (recorded.kind, recorded.changes["late"]) == ("emergency_recorded", [None, True])


def test_a_failed_change_raises_an_incident_caused_by_it(board, settings):
    settings.LANGUAGE_CODE = "en"  # what it writes is in the site's language
    change = walk_to(board, "implementing")
    with pytest.raises(TransitionNotAllowed):
        actions.raise_incident(change, actor=board.engineer_chen, source="web")
    change = step(actions.fail, change, board.engineer_chen, text="扩容后虚拟机无法启动")
    with pytest.raises(Forbidden):
        actions.raise_incident(change, actor=board.agent_li, source="web")

    incident = actions.raise_incident(change, actor=board.engineer_chen, source="web")

    incident = Incident.objects.get(pk=incident.pk)
    assert incident.title == f"Change {change.number} failed: vm-web-01 扩容内存到 32G"
    assert (incident.kind, incident.channel, incident.ci, incident.customer,
            incident.priority) == ("fault", "referral", board.ci, board.customer, 2)
    assert "扩容后虚拟机无法启动" in incident.description
    assert [(link.incident, link.relation) for link in fresh(change).incident_links.all()] == [
        (incident, "caused_by")]
    assert [e.kind for e in timeline.events_of(incident)][:2] == ["logged", "change_linked"]


def test_linking_an_incident_by_hand(board):
    change = walk_to(board, "submitted")
    incident = board.log()
    actions.link_incident(change, actor=board.agent_li, source="web", incident=incident,
                          relation="fixed_by")
    with pytest.raises(Invalid):
        actions.link_incident(change, actor=board.agent_li, source="web", incident=incident,
                              relation="fixed_by")
    with pytest.raises(Invalid):
        actions.link_incident(change, actor=board.agent_li, source="web", incident=incident,
                              relation="whatever")
    with pytest.raises(Forbidden):
        actions.link_incident(change, actor=board.requester_zhao, source="web",
                              incident=incident, relation="caused_by")
