"""The service-desk dashboard's panels against hand-built tickets."""

from datetime import timedelta

from opsdesk.incidents import actions
from tests.incidents.helpers import Desk, act

from .dashboard_helpers import at, headlines, run, table, values

P1 = {"impact": "high", "urgency": "critical"}
# The cast's default fault (impact medium, urgency high) is P3.
P4 = {"impact": "low", "urgency": "low"}


def test_intake_counts_todays_incidents_by_hour_and_channel(cast, frozen):
    frozen.move_to(at(1, 23, 30))
    cast.log(title="昨夜的事件")
    frozen.move_to(at(0, 8, 10))
    cast.log(channel="phone")
    frozen.move_to(at(0, 8, 40))
    cast.log(channel="email")
    frozen.move_to(at(0, 9, 5))
    cast.log(channel="phone")
    frozen.move_to(at(0, 10))
    cast.log(channel="phone", customer=cast.other_customer, requester=cast.outsider)

    data = run("intake_today", cast.agent_li)

    assert data.labels == [f"{hour:02d}:00" for hour in range(11)]
    assert values(data) == {"phone": [0] * 8 + [1, 1, 1], "email": [0] * 8 + [1, 0, 0]}
    assert headlines(data) == {"total": 4}
    assert table(data)[8] == ["08:00", "1", "1"]
    huaxin = run("intake_today", cast.agent_li, customer=cast.customer.pk)
    assert values(huaxin)["phone"] == [0] * 8 + [1, 1, 0]


def test_open_by_priority_leaves_closed_tickets_out_and_links_to_the_queue(cast):
    desk = Desk(cast)
    cast.log(**P1)
    cast.log()
    desk.assigned(title="已分派给二线")
    cast.log(**P4)
    desk.closed(title="已关闭")

    data = run("open_by_priority", cast.agent_li)

    assert data.labels == ["P1", "P2", "P3", "P4"]
    assert values(data) == {"open": [1, 0, 2, 1]}
    assert headlines(data) == {"open": 4}
    assert data.series[0].urls[0] == "/incidents/?queue=open&priority=1"
    l2 = run("open_by_priority", cast.agent_li, team=cast.l2.pk)
    assert values(l2) == {"open": [0, 0, 1, 0]}
    assert l2.series[0].urls[2] == "/incidents/?queue=open&priority=3&team=" + (
        "%E4%BA%8C%E7%BA%BF%E7%B3%BB%E7%BB%9F%E7%BB%84")


def test_breaching_counts_missed_and_nearly_missed_deadlines_by_priority(cast, frozen):
    cast.log(title="网银系统登录缓慢")  # P3: response due 10:15
    frozen.shift(timedelta(minutes=8))
    cast.log(title="邮件发送延迟")  # response due 10:23, near breach from 10:20
    frozen.shift(timedelta(minutes=12))
    cast.log(title="核心交易系统中断", **P1)  # fresh: neither

    data = run("breaching", cast.lead_wang)

    assert values(data) == {"breached": [0, 0, 1, 0], "near": [0, 0, 1, 0]}
    assert headlines(data) == {"breached": 1, "near": 1}
    assert data.series[0].urls[2] == "/incidents/monitor/"
    # The monitor is a manager's page: the desk sees the figures without the link.
    assert run("breaching", cast.agent_li).series[0].urls is None


def test_backlog_walks_back_from_todays_open_count(cast, frozen):
    desk = Desk(cast)
    frozen.move_to(at(40, 9))
    cast.log(title="早已登记、仍未关闭")
    frozen.move_to(at(10, 9))
    lingering = desk.resolved(title="十天前登记、五天前关闭")
    frozen.move_to(at(5, 9))
    act(actions.confirm, lingering, cast.agent_li)
    frozen.move_to(at(3, 9))
    cast.log(title="三天前登记")
    frozen.move_to(at(0, 9))
    cast.log(title="今天登记", customer=cast.other_customer, requester=cast.outsider)
    frozen.move_to(at(0, 10))

    data = run("backlog_trend", cast.agent_li)

    assert len(data.labels) == 30
    assert data.labels[0] == "2026-10-25" and data.labels[-1] == "2026-11-23"
    expected = [1] * 19 + [2] * 5 + [1] * 2 + [2] * 3 + [3]
    assert values(data) == {"open": expected}
    assert headlines(data) == {"open": 3}
    huaxin = run("backlog_trend", cast.agent_li, customer=cast.customer.pk)
    assert values(huaxin)["open"][-1] == 2
