"""The incident manager's view (INC-13) in the console."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from opsdesk.incidents import actions
from opsdesk.incidents.models import Escalation, Incident
from opsdesk.major import actions as major_actions

P1 = {"impact": "high", "urgency": "critical"}


def sections(response) -> dict[str, list[str]]:
    """Each section's incident numbers, in page order."""
    assert response.status_code == 200
    html = response.content.decode()
    found = {}
    for match in re.finditer(r'data-testid="monitor-([a-z-]+)">(.*?)</section>', html, re.S):
        found[match[1]] = re.findall(r'data-testid="monitor-row" data-number="([^"]+)"',
                                     match[2])
    return found


def reassigned_three_times(cast, **log):
    incident = cast.log(**log)
    for team in (cast.l1, cast.l2, cast.l3, cast.vendor):
        incident = actions.assign(incident, actor=cast.agent_li, source="web",
                                  expected_version=incident.version, team=team)
    return incident


@pytest.fixture
def board(cast, frozen):
    """At 10:20: one ticket past its response deadline, one near it, a P1
    that escalated when logged, and one reassigned three times."""
    board = {"breached": cast.log(title="网银系统登录缓慢")}  # P2, response due 10:15
    frozen.shift(timedelta(minutes=8))
    board["near"] = cast.log(title="邮件发送延迟")  # response due 10:23, near at 10:20
    frozen.shift(timedelta(minutes=12))
    board["major"] = cast.log(title="核心交易系统中断", **P1)
    major_actions.declare(board["major"], actor=cast.lead_wang, source="web", reason="交易中断")
    board["reassigned"] = reassigned_three_times(cast, title="打印机卡纸", impact="low",
                                                 urgency="low")
    return board


def monitor(client):
    return client.get(reverse("incidents:monitor"))


def test_each_section_lists_what_needs_a_manager(cast, board, as_user):
    response = monitor(as_user(cast.lead_wang))
    found = sections(response)
    assert found == {
        "breached": [board["breached"].number],
        "near-breach": [board["near"].number],
        "reassigned": [board["reassigned"].number],
        "major": [board["major"].number],
        "escalations": [board["major"].number],
    }
    html = response.content.decode()
    assert re.search(rf'data-number="{board["breached"].number}".*?data-state="breached"'
                     r'.*?5 min overdue', html, re.S)
    assert re.search(rf'data-number="{board["near"].number}".*?data-state="near"', html, re.S)
    reason = Escalation.objects.get(incident=board["major"]).reason
    assert escape(reason) in html


def test_closed_and_resolved_tickets_leave_the_sections(cast, board, as_user):
    breached = board["breached"]
    actions.resolve(breached, actor=cast.lead_wang, source="web", expected_version=None,
                    closure_code="successful", solution="重启服务")
    found = sections(monitor(as_user(cast.lead_wang)))
    assert breached.number not in found["breached"]


@pytest.mark.parametrize("role_holder", ["agent_li", "engineer_chen", "leader_ma"])
def test_only_managers_may_open_it(cast, as_user, role_holder):
    client = as_user(getattr(cast, role_holder))
    assert monitor(client).status_code == 403
    queue_page = client.get(reverse("incidents:queue")).content.decode()
    assert 'data-testid="nav-monitor"' not in queue_page


def test_managers_find_it_in_the_navigation(cast, as_user):
    page = as_user(cast.lead_wang).get(reverse("incidents:queue")).content.decode()
    assert f'href="{reverse("incidents:monitor")}" data-testid="nav-monitor"' in page


def test_the_page_costs_the_same_number_of_queries_however_many_rows(cast, frozen, as_user):
    client = as_user(cast.lead_wang)

    def add_one_of_each():
        cast.log(title="登录缓慢")
        cast.log(title="核心交易系统中断", **P1)
        reassigned_three_times(cast)

    def queries_for_page():
        with CaptureQueriesContext(connection) as captured:
            assert monitor(client).status_code == 200
        return len(captured)

    add_one_of_each()
    frozen.shift(timedelta(hours=3))
    few = queries_for_page()
    for _round in range(4):
        add_one_of_each()
    frozen.shift(timedelta(hours=3))
    found = sections(monitor(client))
    assert len(found["breached"]) == 15 and len(found["escalations"]) >= 5
    assert queries_for_page() == few


def test_intervene_from_the_monitor_takes_the_ticket(cast, board, as_user):
    client = as_user(cast.lead_wang)
    incident = board["breached"]
    html = monitor(client).content.decode()
    url = reverse("incidents:act", args=[incident.number, "intervene"])
    assert f'action="{url}"' in html
    response = client.post(url, {"version": incident.version, "note": ""})
    assert response.status_code == 302
    assert Incident.objects.get(pk=incident.pk).assignee == cast.lead_wang
    page = client.get(response.url).content.decode()
    assert "took the incident over as a manager" in page
    assert 'data-testid="action-intervene"' not in page  # held by the manager now
    found = sections(monitor(client))
    assert incident.number in found["breached"]  # still breached, now in a manager's hands
