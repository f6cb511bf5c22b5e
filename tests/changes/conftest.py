"""The change manager and two more CAB members join the cast; a change is
walked through the real actions. Windows are next week (Tuesday 1 December
2026, Beijing time) unless a test says otherwise."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from opsdesk.changes import actions
from opsdesk.changes.models import Change
from opsdesk.core.choices import Role
from opsdesk.core.models import ConfigurationItem

BEIJING = ZoneInfo("Asia/Shanghai")
MEDIUM_RISK = {"services": "one", "outage": "degraded", "users": "few",
               "experience": "rare", "testing": "full", "rollback": "tested"}


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of December 2026 in Beijing time."""
    return datetime(2026, 12, day, hour, minute, tzinfo=BEIJING)


@pytest.fixture
def board(cast):
    """The cast with the change manager 徐丽 and CAB members 郑宏 (ops service
    manager) and 王芳 (the incident manager, already in the cast)."""
    cast.change_manager_xu = cast._user("change_manager_xu", "徐丽", Role.CHANGE_MANAGER, None)
    cast.service_manager_zheng = cast._user("service_manager_zheng", "郑宏",
                                            Role.SERVICE_MANAGER, None)
    cast.db_ci = ConfigurationItem.objects.create(name="db-core-01", ci_type="database",
                                                  customer=cast.customer)
    return cast


def draft(cast, **fields) -> Change:
    values = {"kind": "normal", "title": "vm-web-01 扩容内存到 32G",
              "reason": "内存不足导致网银缓慢",
              "description": "在线扩容", "implementation_plan": "1. 迁移 2. 扩容 3. 验证",
              "rollback_plan": "恢复原内存配置", "test_plan": "压测 10 分钟",
              "cis": [cast.ci], "planned_start": at(1, 22), "planned_end": at(1, 23),
              "risk_answers": MEDIUM_RISK, "implementer_team": cast.l2,
              "customer": cast.customer}
    values.update(fields)
    return actions.create_change(actor=values.pop("actor", cast.engineer_chen), source="web",
                                 **values)


def step(action, change, actor, **fields):
    return action(change, actor=actor, source="web", expected_version=change.version, **fields)


def walk_to(cast, state: str, change: Change | None = None) -> Change:
    """Bring a normal change to `state` through the real actions: 陈伟 requests
    and implements it, 徐丽 assesses, 郑宏 and 王芳 approve."""
    order = ["draft", "submitted", "assessed", "approved", "scheduled", "implementing",
             "implemented", "reviewed", "closed"]
    change = change or draft(cast)
    xu = cast.change_manager_xu
    moves = {
        "submitted": lambda c: step(actions.submit, c, cast.engineer_chen),
        "assessed": lambda c: step(actions.assess, c, xu,
                                   approvers=[cast.service_manager_zheng, cast.lead_wang]),
        "approved": lambda c: actions.vote(
            actions.vote(c, actor=cast.service_manager_zheng, source="web",
                         decision="approve"),
            actor=cast.lead_wang, source="web", decision="approve", comment="同意"),
        "scheduled": lambda c: step(actions.schedule, c, xu),
        "implementing": lambda c: step(actions.start, c, cast.engineer_chen),
        "implemented": lambda c: step(actions.complete, c, cast.engineer_chen,
                                      text="扩容完成，验证通过"),
        "reviewed": lambda c: step(actions.review, c, xu, text="按计划完成，无影响"),
        "closed": lambda c: step(actions.close, c, xu),
    }
    for name in order[order.index(change.state) + 1: order.index(state) + 1]:
        change = moves[name](change)
    return change


def fresh(change) -> Change:
    return Change.objects.get(pk=change.pk)


def later(hours: float) -> timedelta:
    return timedelta(hours=hours)
