"""monthly_summary(): the change figures of the monthly service report."""

from datetime import timedelta

from opsdesk.changes import actions
from opsdesk.changes.models import StandardChange
from opsdesk.changes.reports import monthly_summary

from .conftest import at, draft, step, walk_to

NOVEMBER = (at(1, 0).replace(month=11), at(1, 0))


def test_counts_by_type_and_outcome_with_the_failed_listed(board, frozen):
    template = StandardChange.objects.create(name="证书更新", implementation_plan="替换",
                                             rollback_plan="换回")
    walk_to(board, "closed")
    draft(board, kind="standard", template=template)
    failed = step(actions.fail, walk_to(board, "implementing", draft(board, title="升级失败")),
                  board.engineer_chen, text="无法启动")
    rolled = walk_to(board, "implementing", draft(board, title="回退的变更"))
    rolled = step(actions.fail, rolled, board.engineer_chen, text="报错")
    rolled = step(actions.roll_back, rolled, board.engineer_chen, text="已回退")
    urgent = board.log(impact="high", urgency="critical")
    actions.log_emergency_change(actor=board.engineer_chen, source="web", incident=urgent,
                                 title="紧急重启")
    other = draft(board, customer=board.other_customer)
    frozen.shift(timedelta(days=2))  # the emergency change's deadline passes unrecorded

    summary = monthly_summary(*NOVEMBER)

    assert summary["by_type"] == {"standard": 1, "normal": 4, "emergency": 1}
    assert (summary["implemented"], summary["failed"], summary["rolled_back"],
            summary["emergency"], summary["unrecorded_emergency"]) == (1, 1, 1, 1, 1)
    assert summary["failed_changes"] == [
        {"number": failed.number, "title": "升级失败", "outcome": "failed"},
        {"number": rolled.number, "title": "回退的变更", "outcome": "rolled_back"}]
    assert monthly_summary(*NOVEMBER, customer=board.other_customer)["by_type"] == {
        "standard": 0, "normal": 1, "emergency": 0}
    assert other.customer == board.other_customer
    december = monthly_summary(at(1, 0), at(1, 0).replace(year=2027, month=1))
    assert december["by_type"] == {"standard": 0, "normal": 0, "emergency": 0}
    assert december["failed_changes"] == []
