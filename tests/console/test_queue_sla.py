"""The queue shows each ticket's running SLA clock, coloured (INC-09)."""

import re
from datetime import timedelta

from django.urls import reverse

from opsdesk.incidents import actions


def badges(client) -> dict[str, tuple[str, str]]:
    """number -> (clock, state) of each row's SLA badge."""
    html = client.get(reverse("incidents:queue"), {"queue": "open"}).content.decode()
    return {number: (clock, state) for number, clock, state in re.findall(
        r'data-testid="queue-row" data-number="([^"]+)".*?'
        r'class="badge sla [a-z]+" data-sla="([a-z]+)" data-state="([a-z]+)"', html, re.S)}


def test_queue_rows_show_the_clock_that_matters_now(cast, frozen, as_user):
    late = cast.log(title="网银系统登录缓慢")  # P2: response due 10:15
    frozen.shift(timedelta(minutes=8))
    near = cast.log(title="邮件发送延迟")  # response near at 10:20
    frozen.shift(timedelta(minutes=12))
    fresh_one = cast.log(title="打印机卡纸")
    answered = cast.log(title="VPN 无法连接")
    answered = actions.assign(answered, actor=cast.agent_li, source="web", expected_version=1,
                              team=cast.l2)
    actions.accept(answered, actor=cast.engineer_chen, source="web",
                   expected_version=answered.version)

    shown = badges(as_user(cast.lead_wang))
    assert shown == {
        late.number: ("response", "breached"),
        near.number: ("response", "near"),
        fresh_one.number: ("response", "ok"),
        answered.number: ("resolution", "ok"),
    }


def next_step_shown(client, incident) -> str:
    html = client.get(incident.get_absolute_url()).content.decode()
    found = re.search(r'data-testid="next-escalation"><time datetime="[^"]+">([^<]+)</time> '
                      r'([^<]+)</dd>', html)
    return " ".join(found.groups()) if found else ""


def test_the_incident_page_says_what_escalates_next_and_when(cast, frozen, as_user):
    client = as_user(cast.lead_wang)
    incident = cast.log()  # P2 at 10:00 Shanghai: response due 10:15
    assert next_step_shown(client, incident) == (
        "2026-11-23 10:15 Notify L2 support (if the response target is missed)")
    incident = actions.assign(incident, actor=cast.agent_li, source="web", expected_version=1,
                              team=cast.l2)
    actions.accept(incident, actor=cast.engineer_chen, source="web",
                   expected_version=incident.version)
    # Responded: the seed-004 matrix's first level for P2 comes next.
    assert next_step_shown(client, incident) == (
        "2026-11-23 12:00 Notify Support group lead (escalation matrix, 120 minutes of "
        "business time after registration)")
    incident.refresh_from_db()
    actions.resolve(incident, actor=cast.engineer_chen, source="web",
                    expected_version=incident.version, closure_code="successful",
                    solution="重启了应用服务")
    assert next_step_shown(client, incident) == ""  # a resolved incident escalates no more
