"""A recurring fault planted in the demo history for trend analysis (PRB-05)
to find: the same core-switch port flapping four times in three weeks,
each time fixed by resetting the port, never investigated. Its category is
its own, so the random history never joins it."""

from datetime import timedelta

from opsdesk.core import clock
from opsdesk.core.models import Category, ConfigurationItem
from opsdesk.incidents import actions

from .organisation import Organisation

CI = "jn-core-sw-01"
CATEGORY = ("网络故障", "端口抖动")
DAYS_AGO = (20, 13, 7, 2)
TITLE = "核心交换机 {ci} 端口 Gi1/0/{port} 频繁 up/down，网银交易间歇中断"
DESCRIPTION = "网银前端间歇性报交易超时，交换机日志显示该端口反复 link down/up。"
SOLUTION = "重置端口并清除错误计数后恢复，光模块未更换。"


def plant_recurring_fault(org: Organisation, now) -> None:
    parent = Category.objects.get(name=CATEGORY[0], parent=None)
    category, _ = Category.objects.get_or_create(name=CATEGORY[1], parent=parent)
    ci = ConfigurationItem.objects.get(name=CI)
    desk, engineer = org.users["agent_zhang"], org.users["engineer_sun"]
    for number, days in enumerate(DAYS_AGO):
        start = now - timedelta(days=days, hours=3)
        with clock.frozen_at(start):
            incident = actions.log_incident(
                actor=desk, source="web", title=TITLE.format(ci=CI, port=24 + number % 2),
                description=DESCRIPTION, kind="fault", channel="phone", impact="high",
                urgency="high", category=category, ci=ci, service=ci.service,
                customer=ci.customer, reporter_name="江南银行运维值班",
                occurred_at=start - timedelta(minutes=10))
            incident = actions.assign(incident, actor=desk, source="web",
                                      expected_version=incident.version,
                                      team=engineer.team, assignee=engineer)
        with clock.frozen_at(start + timedelta(minutes=20)):
            incident = actions.accept(incident, actor=engineer, source="web",
                                      expected_version=incident.version)
        with clock.frozen_at(start + timedelta(hours=1)):
            actions.resolve(incident, actor=engineer, source="web",
                            expected_version=incident.version, closure_code="successful",
                            solution=SOLUTION)
