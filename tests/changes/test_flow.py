"""An RFC from draft to closed through the real actions (CHG-01…03): what
each step requires, what it records, who is told."""

import pytest
from django.utils import translation

from opsdesk.changes import actions
from opsdesk.changes.models import Change, StandardChange
from opsdesk.changes.rules import ChangeClosed
from opsdesk.core import timeline
from opsdesk.core.errors import Forbidden, Invalid, TransitionNotAllowed, VersionConflict
from opsdesk.core.models import Notification

from .conftest import at, draft, fresh, step, walk_to


def _kinds(change):
    return [event.kind for event in timeline.events_of(change)]


def test_a_draft_gets_a_number_of_the_day_and_its_risk(board):
    change = draft(board)

    assert change.number == "CHG-20261123-0001"
    assert (change.state, change.kind, change.requested_by) == ("draft", "normal",
                                                                board.engineer_chen)
    # impact: worst of one service (2), degraded (2), few users (1) = 2;
    # probability: mean of rare (2), tested (1), rollback tested (1) rounded up = 2.
    assert (change.risk_impact, change.risk_probability, change.risk_score,
            change.risk_level) == (2, 2, 4, "medium")
    assert _kinds(change) == ["logged"]
    assert draft(board).number == "CHG-20261123-0002"


def test_submitting_needs_plans_window_scope_and_risk(board):
    change = draft(board, rollback_plan="", planned_start=None, planned_end=None,
                   risk_answers=None, cis=[])

    with translation.override("en"), pytest.raises(Invalid) as refused:
        step(actions.submit, change, board.engineer_chen)

    assert set(refused.value.fields) == {"rollback_plan", "planned_start", "risk", "cis"}
    assert fresh(change).state == "draft"


def test_a_bad_window_or_risk_answer_is_refused_and_nothing_written(board):
    with pytest.raises(Invalid) as refused:
        draft(board, planned_start=at(1, 23), planned_end=at(1, 22),
              risk_answers={"services": "all of them"})
    assert {"planned_end", "risk.services", "risk.outage"} <= set(refused.value.fields)
    assert not Change.objects.exists()


def test_the_normal_flow_through_the_cab_to_closure(board):
    change = walk_to(board, "assessed")
    assert change.quorum == 2
    told = Notification.objects.filter(event="change_vote_needed")
    assert {n.recipient.username for n in told} == {"service_manager_zheng", "lead_wang"}

    change = walk_to(board, "closed", change)

    change = fresh(change)
    assert (change.state, change.outcome) == ("closed", "implemented")
    assert change.finished_at is not None and change.reviewed_at is not None
    assert "扩容完成，验证通过" in change.implementation_notes
    assert _kinds(change) == ["logged", "submit", "assess", "cab_convened", "voted", "voted",
                              "cab_decided", "schedule", "window", "start", "complete",
                              "review", "close"]
    decided = Notification.objects.get(event="change_decided")
    assert decided.recipient == board.engineer_chen
    assert "已批准" in decided.subject


def test_a_standard_change_is_approved_by_its_template_without_the_cab(board):
    template = StandardChange.objects.create(
        name="虚拟机内存扩容", implementation_plan="按标准步骤扩容", rollback_plan="回退内存",
        implementer_team=board.l2)

    change = draft(board, kind="standard", template=template, implementation_plan="",
                   rollback_plan="", risk_answers=None, implementer_team=None)
    assert (change.implementation_plan, change.implementer_team, change.risk_level) == (
        "按标准步骤扩容", board.l2, "low")
    change = step(actions.submit, change, board.engineer_chen)

    assert change.state == "approved"
    assert not change.approvals.exists()
    assert _kinds(change)[-1] == "pre_approved"
    assert walk_to(board, "scheduled", change).state == "scheduled"


def test_a_template_belongs_to_standard_changes_only(board):
    template = StandardChange.objects.create(name="重启", implementation_plan="重启",
                                             rollback_plan="无")
    with pytest.raises(Invalid) as refused:
        draft(board, kind="normal", template=template)
    assert set(refused.value.fields) == {"template"}
    with pytest.raises(Invalid):
        draft(board, kind="standard")


def test_assessment_names_enough_cab_members(board, settings):
    change = walk_to(board, "submitted")
    with pytest.raises(Invalid) as refused:
        step(actions.assess, change, board.change_manager_xu, approvers=[board.lead_wang])
    assert set(refused.value.fields) == {"approvers"}
    with pytest.raises(Invalid):
        step(actions.assess, change, board.change_manager_xu,
             approvers=[board.lead_wang, board.requester_zhao])
    settings.OPSDESK_CAB_QUORUM = 1
    assert step(actions.assess, change, board.change_manager_xu,
                approvers=[board.lead_wang]).quorum == 1


def test_a_rejection_needs_a_reason_and_tells_the_requester(board):
    change = walk_to(board, "assessed")
    with pytest.raises(Invalid) as refused:
        actions.vote(change, actor=board.lead_wang, source="web", decision="reject")
    assert set(refused.value.fields) == {"comment"}

    change = actions.vote(change, actor=board.lead_wang, source="web", decision="reject",
                          comment="窗口与月结冲突")

    # Two members, two approvals needed: one rejection leaves the quorum out of reach.
    assert change.state == "rejected"
    with pytest.raises(TransitionNotAllowed):
        actions.vote(change, actor=board.service_manager_zheng, source="web",
                     decision="approve")
    assert Notification.objects.get(event="change_decided").recipient == board.engineer_chen


def test_a_member_votes_once(board):
    change = walk_to(board, "assessed")
    actions.vote(change, actor=board.lead_wang, source="web", decision="approve")
    with pytest.raises(Forbidden):
        actions.vote(change, actor=board.lead_wang, source="web", decision="approve")
    with pytest.raises(Forbidden):
        actions.vote(change, actor=board.change_manager_xu, source="web", decision="approve")


def test_a_stale_version_is_refused(board):
    change = draft(board)
    actions.update_change(change, actor=board.engineer_chen, source="web",
                          expected_version=change.version, changes={"title": "改名"})
    with pytest.raises(VersionConflict):
        step(actions.submit, change, board.engineer_chen)


def test_failing_needs_what_happened_and_rollback_follows(board):
    change = walk_to(board, "implementing")
    with pytest.raises(Invalid):
        step(actions.fail, change, board.engineer_chen, text="")
    change = step(actions.fail, change, board.engineer_chen, text="扩容后虚拟机无法启动")
    assert (change.state, change.outcome) == ("failed", "failed")
    change = step(actions.roll_back, change, board.engineer_chen, text="已恢复原配置")
    assert (change.state, change.outcome) == ("rolled_back", "rolled_back")
    assert step(actions.review, change, board.change_manager_xu,
                text="失败原因：驱动不兼容").state == "reviewed"


def test_review_needs_notes(board):
    change = walk_to(board, "implemented")
    with pytest.raises(Invalid) as refused:
        step(actions.review, change, board.change_manager_xu, text="  ")
    assert set(refused.value.fields) == {"review_notes"}


def test_cancelling_says_why_and_is_final(board):
    change = walk_to(board, "approved")
    with pytest.raises(Invalid):
        step(actions.cancel, change, board.engineer_chen, text="")
    change = step(actions.cancel, change, board.engineer_chen, text="需求取消")
    assert change.state == "cancelled"
    with pytest.raises(ChangeClosed):
        step(actions.schedule, change, board.change_manager_xu)
