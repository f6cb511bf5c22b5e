import re

import pytest
from django.urls import reverse

from opsdesk.incidents import actions

ROW = re.compile(r'data-testid="queue-row" data-number="([^"]+)"')


def rows(response) -> list[str]:
    assert response.status_code == 200
    return ROW.findall(response.content.decode())


def count(response, queue) -> str:
    match = re.search(rf'data-testid="count-{queue}">([^<]+)<', response.content.decode())
    return match[1]


def queue(client, **params):
    return client.get(reverse("incidents:queue"), params)


@pytest.fixture
def board(cast):
    """One incident for each queue agent_li (service desk) can look at."""
    agent = cast.agent_li
    unassigned = cast.log(title="打印机无法打印")
    l2 = cast.log(title="数据库连接超时", urgency="critical", impact="high")
    actions.assign(l2, actor=agent, source="web", expected_version=1, team=cast.l2,
                   assignee=cast.engineer_chen)
    desk = cast.log(title="邮箱密码重置", urgency="low", impact="low")
    actions.assign(desk, actor=agent, source="web", expected_version=1, team=cast.desk)
    mine = cast.log(title="VPN 无法连接")
    actions.assign(mine, actor=agent, source="web", expected_version=1, team=cast.desk,
                   assignee=agent)
    closed = cast.log(title="CPU 使用率告警", kind="alert", channel="monitoring")
    actions.resolve(closed, actor=agent, source="web", expected_version=1,
                    closure_code="successful", solution="扩容完成")
    return {"unassigned": unassigned.number, "l2": l2.number, "desk": desk.number,
            "mine": mine.number, "closed": closed.number}


def test_each_queue_lists_its_tickets_with_counts(board, cast, as_user):
    client = as_user(cast.agent_li)
    expected = {
        "mine": [board["mine"]],
        "team": [board["mine"], board["desk"]],
        "unassigned": [board["unassigned"]],
        "open": [board["mine"], board["desk"], board["l2"], board["unassigned"]],
        "closed": [board["closed"]],
    }
    for name, numbers in expected.items():
        response = queue(client, queue=name)
        assert rows(response) == numbers, name  # newest first
        assert count(response, name) == str(len(numbers))


def test_a_person_without_a_team_has_no_team_queue(board, cast, as_user):
    response = queue(as_user(cast.lead_wang))
    assert 'data-testid="queue-team"' not in response.content.decode()
    assert rows(response) == []  # "mine" is the default without a team


def test_an_unknown_queue_is_404(cast, as_user):
    assert queue(as_user(cast.agent_li), queue="everything").status_code == 404


def test_rows_show_priority_status_customer_and_local_time(board, cast, as_user):
    html = queue(as_user(cast.agent_li), queue="open").content.decode()
    l2_row = html[html.index(f'data-number="{board["l2"]}"'):]
    l2_row = l2_row[: l2_row.index("</tr>")]
    assert "数据库连接超时" in l2_row
    assert ">P1<" in l2_row
    assert 'data-status="assigned"' in l2_row and "indigo" in l2_row
    assert "VIP" in l2_row and "华信证券" in l2_row
    assert "二线系统组" in l2_row and "陈伟" in l2_row
    assert "2026-11-23 10:00" in l2_row  # 02:00 UTC shown in Asia/Shanghai


def test_filters_narrow_the_queue(board, cast, as_user):
    client = as_user(cast.agent_li)
    assert rows(queue(client, queue="open", status="assigned")) == [
        board["mine"], board["desk"], board["l2"]]
    assert rows(queue(client, queue="open", priority="1")) == [board["l2"]]
    assert rows(queue(client, queue="open", team="服务台")) == [board["mine"], board["desk"]]
    assert rows(queue(client, queue="open", q="打印机")) == [board["unassigned"]]


def test_sorting_by_priority_and_age(board, cast, as_user):
    client = as_user(cast.agent_li)
    assert rows(queue(client, queue="open", sort="priority")) == [
        board["l2"], board["unassigned"], board["mine"], board["desk"]]
    assert rows(queue(client, queue="open", sort="oldest")) == [
        board["unassigned"], board["l2"], board["desk"], board["mine"]]


def test_a_bad_filter_shows_an_error_instead_of_rows(board, cast, as_user):
    response = queue(as_user(cast.agent_li), queue="open", cursor="not-a-cursor")
    assert response.status_code == 200
    assert rows(response) == []
    assert 'role="alert"' in response.content.decode()


def test_next_page_link_continues_where_the_page_ended(cast, as_user):
    numbers = [cast.log(title=f"批量事件 {i}").number for i in range(52)]
    client = as_user(cast.agent_li)
    first = queue(client, queue="open", sort="oldest")
    assert rows(first) == numbers[:50]
    next_url = re.search(r'href="([^"]+)" data-testid="next-page"', first.content.decode())[1]
    second = client.get(reverse("incidents:queue") + next_url.replace("&amp;", "&"))
    assert rows(second) == numbers[50:]
    assert 'data-testid="next-page"' not in second.content.decode()
    assert 'data-testid="first-page"' in second.content.decode()


def test_queue_page_queries_do_not_grow_with_rows(cast, as_user, django_assert_max_num_queries):
    client = as_user(cast.agent_li)
    for i in range(3):
        actions.assign(cast.log(title=f"少量 {i}"), actor=cast.agent_li, source="web",
                       expected_version=1, team=cast.l2, assignee=cast.engineer_chen)
    # Session, user, team names, the page's keys, its rows, five tab counts.
    with django_assert_max_num_queries(10) as few:
        assert len(rows(queue(client, queue="open"))) == 3
    for i in range(30):
        actions.assign(cast.log(title=f"大量 {i}"), actor=cast.agent_li, source="web",
                       expected_version=1, team=cast.l2, assignee=cast.engineer_chen)
    with django_assert_max_num_queries(10) as many:
        assert len(rows(queue(client, queue="open"))) == 33
    assert len(many.captured_queries) == len(few.captured_queries)


def test_search_by_exact_number_opens_the_incident_even_when_closed(board, cast, as_user):
    client = as_user(cast.agent_li)
    response = client.get(reverse("incidents:search"), {"q": board["closed"].lower()})
    assert response.status_code == 302
    assert response.url == reverse("incidents:detail", args=[board["closed"]])


def test_search_by_text_filters_the_open_queue(board, cast, as_user):
    client = as_user(cast.agent_li)
    response = client.get(reverse("incidents:search"), {"q": "VPN"})
    assert response.status_code == 302
    assert rows(client.get(response.url)) == [board["mine"]]


def test_search_for_a_missing_number_says_so(cast, as_user):
    client = as_user(cast.agent_li)
    response = client.get(reverse("incidents:search"), {"q": "INC-20261123-0042"}, follow=True)
    assert "INC-20261123-0042" in response.content.decode()
    assert rows(response) == []
