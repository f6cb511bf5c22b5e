"""The incident manager's dashboard panels against hand-built tickets."""

from datetime import datetime
from decimal import Decimal

from opsdesk.core.models import Category
from opsdesk.incidents import actions
from opsdesk.incidents.models import Escalation
from opsdesk.major import actions as major_actions
from tests.incidents.helpers import Desk, act

from .dashboard_helpers import SHANGHAI, at, headlines, run, values

P1 = {"impact": "high", "urgency": "critical"}


def by_label(data) -> dict:
    """Each label's values across the series, for groups whose order is the
    database's collation of Chinese names."""
    return {label: [series.values[index] for series in data.series]
            for index, label in enumerate(data.labels)}


def test_sla_compliance_by_team_counts_incidents_resolved_in_the_period(cast, frozen):
    desk = Desk(cast)
    frozen.move_to(datetime(2026, 10, 20, 10, tzinfo=SHANGHAI))
    october = desk.in_progress(title="十月的事件")
    desk.resolve(october)
    frozen.move_to(at(0, 10))
    on_time = desk.assigned(title="按时响应并解决")
    late_answer = desk.assigned(title="响应超时")
    late_fix = desk.assigned(title="解决超时", **P1)  # VIP P1: 3 min to respond, 60 to resolve
    first_line = desk.assigned(title="一线解决", team=cast.l1, assignee=cast.l1_engineer_zhou)
    desk.assigned(title="仍在处理")
    frozen.move_to(at(0, 10, 1))
    late_fix = act(actions.accept, late_fix, cast.engineer_chen)
    frozen.move_to(at(0, 10, 5))
    on_time = act(actions.accept, on_time, cast.engineer_chen)
    first_line = act(actions.accept, first_line, cast.l1_engineer_zhou)
    frozen.move_to(at(0, 10, 30))  # the VIP P3 response target is 15 minutes
    late_answer = act(actions.accept, late_answer, cast.engineer_chen)
    desk.resolve(first_line, by=cast.l1_engineer_zhou)
    frozen.move_to(at(0, 11))
    desk.resolve(on_time)
    desk.resolve(late_answer)
    frozen.move_to(at(0, 11, 30))
    desk.resolve(late_fix)

    data = run("sla_compliance", cast.lead_wang)

    # OLA: L2 holds a P3 for 120 minutes, a P1 for 30; L1 a P3 for 60.
    third, whole = Decimal("66.7"), Decimal(100)
    assert by_label(data) == {cast.l2.name: [third, third, third],
                              cast.l1.name: [whole, whole, whole]}
    assert headlines(data) == {"response_met": Decimal("75.0"), "resolve_met": Decimal("75.0")}
    october_data = run("sla_compliance", cast.lead_wang, period="month", year=2026, month=10)
    assert by_label(october_data)[cast.l2.name][:2] == [whole, whole]
    l1_only = run("sla_compliance", cast.lead_wang, team=cast.l1.pk)
    assert list(by_label(l1_only)) == [cast.l1.name]
    # Stints know no customer: narrowed to one, the OLA column stays empty.
    huaxin = run("sla_compliance", cast.lead_wang, customer=cast.customer.pk)
    assert by_label(huaxin)[cast.l1.name] == [whole, whole, None]


def test_escalations_by_day_and_level(cast):
    desk = Desk(cast)
    first, second = desk.assigned(title="甲"), desk.assigned(title="乙")
    elsewhere = desk.assigned(title="丙", customer=cast.other_customer, requester=cast.outsider)
    for incident, key, level, fired_at in (
            (first, "resolve_100", "l3", at(2, 9)),
            (second, "resolve_100", "l3", at(2, 15)),
            (first, "matrix_1", "incident_manager", at(0, 9)),
            (elsewhere, "resolve_100", "l3", at(0, 9, 30)),
            (second, "matrix_1", "incident_manager", datetime(2026, 10, 31, 23, 59,
                                                               tzinfo=SHANGHAI))):
        Escalation.objects.create(incident=incident, key=key, level=level, fired_at=fired_at,
                                  reason="测试")

    data = run("escalations", cast.lead_wang)

    assert data.labels[0] == "2026-11-01" and len(data.labels) == 30
    day = {label: index for index, label in enumerate(data.labels)}
    found = values(data)
    assert found["l3"][day["2026-11-21"]] == 2 and found["l3"][day["2026-11-23"]] == 1
    assert found["incident_manager"][day["2026-11-23"]] == 1
    assert sum(found["l3"]) == 3 and sum(found["incident_manager"]) == 1
    assert headlines(data) == {"total": 4}
    huaxin = values(run("escalations", cast.lead_wang, customer=cast.customer.pk))
    assert sum(huaxin["l3"]) == 2
    year = run("escalations", cast.lead_wang, period="year", year=2026)
    assert year.labels[9:11] == ["2026-10", "2026-11"]
    assert values(year)["incident_manager"][9:11] == [1, 1]


def test_major_incidents_lists_the_emergencies_in_progress(cast, frozen):
    frozen.move_to(datetime(2026, 10, 30, 10, tzinfo=SHANGHAI))
    old = cast.log(title="十月的重大事件", **P1)
    major_actions.declare(old, actor=cast.lead_wang, source="web", reason="核心系统中断")
    frozen.move_to(at(0, 9))
    today = cast.log(title="核心交易系统中断", **P1)
    major_actions.declare(today, actor=cast.lead_wang, source="web", reason="交易中断")
    frozen.move_to(at(0, 10))
    cast.log(title="未宣布的P1", **P1)

    data = run("major_incidents", cast.lead_wang)

    assert headlines(data) == {"active": 2, "declared": 1}
    assert [row[0].text for row in data.rows] == [old.number, today.number]
    assert data.rows[1][0].url == f"/incidents/{today.number}/"
    assert data.rows[1][2].text == "核心交易系统中断"
    elsewhere = run("major_incidents", cast.lead_wang, customer=cast.other_customer.pk)
    assert headlines(elsewhere) == {"active": 0, "declared": 0} and elsewhere.rows == []


def test_reassignment_hot_spots_by_category_and_team(cast):
    desk = Desk(cast)
    network = Category.objects.create(name="网络")
    switch = Category.objects.create(name="交换机", parent=network)
    bounced = desk.assigned(title="转了两次", team=cast.l1)
    bounced = act(actions.assign, bounced, cast.agent_li, team=cast.l2)
    act(actions.assign, bounced, cast.agent_li, team=cast.l3)
    once = desk.assigned(title="转了一次", team=cast.l1)
    act(actions.assign, once, cast.agent_li, team=cast.l2)
    switched = desk.assigned(title="交换机故障", team=cast.l2, category=switch)
    act(actions.assign, switched, cast.agent_li, team=cast.l1)
    desk.assigned(title="没有转派")

    by_category = run("reassignments_by_category", cast.lead_wang)
    by_team = run("reassignments_by_team", cast.lead_wang)

    assert by_category.labels == [cast.category.name, "网络 / 交换机"]
    assert values(by_category) == {"reassignments": [3, 1], "tickets": [2, 1]}
    assert by_label(by_team) == {cast.l3.name: [2, 1], cast.l2.name: [1, 1],
                                 cast.l1.name: [1, 1]}
    assert by_team.labels[0] == cast.l3.name
