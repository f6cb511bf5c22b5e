"""INC-18: the requester hears of status changes and public replies, through
the outbox rows the action writes in its own transaction."""

import pytest

from opsdesk.core.errors import VersionConflict
from opsdesk.core.models import Notification
from opsdesk.incidents import actions

from .helpers import act, fresh


def told(incident) -> list[tuple[str, str, str]]:
    return list(Notification.objects.filter(subject_id=incident.pk).order_by("id")
                .values_list("event", "address", "language"))


def last_message(incident) -> Notification:
    return Notification.objects.filter(subject_id=incident.pk).latest("id")


ZHAO = "requester_zhao@example.com"


def test_acceptance_tells_the_requester_in_their_language(cast, desk):
    cast.requester_zhao.language = "en"
    cast.requester_zhao.save()
    incident = desk.assigned()
    assert told(incident) == []  # dispatching is internal
    incident = act(actions.accept, incident, cast.engineer_chen)
    assert told(incident) == [("status_changed", ZHAO, "en")]
    message = last_message(incident)
    assert message.subject == "Your incident is now in progress: 网银系统登录缓慢"
    assert "changed from Assigned to In progress" in message.body
    assert message.recipient == cast.requester_zhao


def test_without_a_language_the_requester_is_told_in_the_default_one(cast, desk):
    incident = desk.in_progress()
    assert told(incident) == [("status_changed", ZHAO, "zh-hans")]


def test_pending_on_the_requester_and_resuming_are_told_pending_on_a_vendor_is_not(cast, desk):
    on_vendor = desk.pending()
    act(actions.resume, on_vendor, cast.engineer_chen)
    assert [event for event, _address, _lang in told(on_vendor)] == ["status_changed"]  # accept

    incident = desk.in_progress()
    incident = act(actions.pend, incident, cast.engineer_chen, waiting_on="requester",
                   reason="请提供报错截图")
    pended = last_message(incident)
    assert "需要您提供：\n请提供报错截图" in pended.body
    incident = act(actions.resume, incident, cast.engineer_chen)
    assert "需要您提供" not in last_message(incident).body
    assert [event for event, _address, _lang in told(incident)] == ["status_changed"] * 3


def test_resolution_and_closure_are_told_with_the_solution(cast, desk):
    incident = desk.resolved()
    assert "更换了故障磁盘" in last_message(incident).body
    act(actions.confirm, incident, cast.agent_li)
    assert len(told(incident)) == 3  # accepted, resolved, closed
    assert fresh(incident).status == "closed"


def test_the_requester_is_not_told_of_what_they_did_themself(cast, desk):
    incident = desk.resolved()
    before = told(incident)
    act(actions.confirm, incident, cast.requester_zhao)
    assert told(incident) == before
    assert fresh(incident).status == "closed"


def test_a_rejection_tells_the_requester_that_the_ticket_closed(cast, desk):
    incident = desk.resolved()
    original, _copy = act(actions.reject, incident, cast.agent_li, reason="问题依旧")
    assert told(original)[-1] == ("status_changed", ZHAO, "zh-hans")
    assert len(told(original)) == 3


def test_public_staff_comments_are_told_internal_ones_never(cast, desk):
    incident = desk.in_progress()
    before = len(told(incident))
    actions.comment(incident, actor=cast.engineer_chen, source="web", body="内部：怀疑是存储",
                    public=False)
    assert len(told(incident)) == before
    actions.comment(incident, actor=cast.engineer_chen, source="web",
                    body="我们正在更换磁盘，预计 30 分钟恢复", public=True)
    assert told(incident)[before:] == [("public_comment", ZHAO, "zh-hans")]
    body = last_message(incident).body
    assert "我们正在更换磁盘，预计 30 分钟恢复" in body and "陈伟" in body
    actions.comment(incident, actor=cast.requester_zhao, source="portal", body="好的，谢谢",
                    public=True)
    assert len(told(incident)) == before + 1


def test_without_a_requester_user_the_reporter_address_is_told(cast, desk):
    incident = desk.in_progress(requester=None, reporter_email="it-duty@huaxin.example.cn")
    assert told(incident) == [("status_changed", "it-duty@huaxin.example.cn", "zh-hans")]
    assert last_message(incident).recipient is None


def test_with_no_requester_and_no_address_nobody_is_told(cast, desk):
    incident = desk.in_progress(requester=None)
    assert told(incident) == []


def test_a_refused_action_queues_nothing(cast, desk):
    incident = desk.assigned()
    act(actions.accept, incident, cast.engineer_chen)
    count = Notification.objects.count()
    with pytest.raises(VersionConflict):
        actions.resolve(incident, actor=cast.engineer_chen, source="web",
                        expected_version=incident.version, closure_code="successful",
                        solution="重启")
    assert Notification.objects.count() == count
