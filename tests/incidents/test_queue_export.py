"""Exporting the incident queue and the problem queue (RPT-01): the file has
what the list shows, with its tab and filters, only for staff, and Chinese
text survives the round trip through openpyxl and a BOM-marked CSV."""

import csv
from io import BytesIO, StringIO

from openpyxl import load_workbook

from opsdesk.incidents import actions
from opsdesk.problems import actions as problem_actions

from .helpers import act


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(StringIO(text[1:])))


def xlsx_rows(response) -> list[list]:
    sheet = load_workbook(BytesIO(response.content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def listed(page) -> list[str]:
    return [row["number"] for row in page.context["page"].items]


def some_incidents(cast, desk):
    dispatched = desk.assigned(title="核心交换机端口闪断")
    other_team = act(actions.assign, cast.log(title="数据库备份失败", urgency="critical",
                                              impact="high"),
                     cast.agent_li, team=cast.l1)
    unassigned = cast.log(title="打印机卡纸")
    return dispatched, other_team, unassigned


def test_the_csv_has_the_rows_the_filtered_queue_shows(cast, desk, as_user):
    dispatched, _other_team, _unassigned = some_incidents(cast, desk)
    client = as_user(cast.agent_li)
    filters = {"queue": "open", "team": cast.l2.name, "sort": "oldest"}

    page = client.get("/incidents/", filters)
    response = client.get("/incidents/export/", {**filters, "format": "csv"})

    assert response.status_code == 200
    assert listed(page) == [dispatched.number]
    rows = csv_rows(response)
    assert rows[0][:8] == ["Number", "Priority", "Title", "Status", "Customer", "Team",
                           "Assignee", "Registered"]
    assert rows[1:] == [[
        dispatched.number, "P3", "核心交换机端口闪断", "Assigned", "华信证券 (VIP)", "二线系统组",
        "", "2026-11-23 10:00", "Fault", "Phone", "虚拟机磁盘变更", "vm-web-01",
        "2026-11-23 15:00", "", "", "", "",  # 4 working hours, lunch 12-13
    ]]


def test_the_whole_open_queue_in_its_sort_order(cast, desk, as_user):
    incidents = some_incidents(cast, desk)
    client = as_user(cast.agent_li)

    page = client.get("/incidents/", {"queue": "open", "sort": "priority"})
    rows = csv_rows(client.get("/incidents/export/", {"queue": "open", "sort": "priority",
                                                      "format": "csv"}))

    assert [row[0] for row in rows[1:]] == listed(page)
    assert sorted(listed(page)) == sorted(incident.number for incident in incidents)
    assert rows[1][1] == "P1"


def test_the_queue_page_links_its_exports_with_its_filters(cast, as_user):
    html = as_user(cast.agent_li).get("/incidents/", {"queue": "open", "q": "网银"}) \
        .content.decode()

    assert 'href="/incidents/export/?format=csv&amp;queue=open&amp;q=%E7%BD%91%E9%93%B6"' in html
    assert 'href="/incidents/export/?format=xlsx&amp;queue=open&amp;q=%E7%BD%91%E9%93%B6"' in html


def test_the_xlsx_reads_back_in_chinese(cast, desk, as_user):
    some_incidents(cast, desk)

    response = as_user(cast.agent_li, language="zh-hans").get(
        "/incidents/export/", {"queue": "unassigned", "format": "xlsx"})

    rows = xlsx_rows(response)
    assert rows[0][:4] == ["单号", "优先级", "标题", "状态"]
    assert [(row[2], row[3], row[5]) for row in rows[1:]] == [("打印机卡纸", "新建", None)]


def test_requesters_get_no_export(cast, desk, as_user):
    some_incidents(cast, desk)

    for path in ("/incidents/export/", "/problems/export/"):
        response = as_user(cast.requester_zhao).get(path, {"queue": "open", "format": "csv"})
        assert response.status_code == 403
        assert "网银" not in response.content.decode()


def test_wrong_filters_or_format_get_an_error_and_no_file(cast, as_user):
    client = as_user(cast.agent_li)

    assert client.get("/incidents/export/", {"format": "pdf"}).status_code == 404
    assert client.get("/incidents/export/", {"queue": "nonsense"}).status_code == 404
    wrong = client.get("/incidents/export/", {"priority": "9", "format": "csv"})
    assert wrong.status_code == 422
    assert "Select a valid choice" in wrong.content.decode()


def test_the_problem_queue_exports_its_tab(cast, as_user):
    problem = problem_actions.create_problem(
        actor=cast.agent_li, source="web", title="网银登录反复缓慢", origin="unknown_cause",
        ci=cast.ci)
    client = as_user(cast.agent_li)

    page = client.get("/problems/", {"queue": "open"})
    rows = xlsx_rows(client.get("/problems/export/", {"queue": "open", "format": "xlsx"}))

    assert [p.number for p in page.context["problems"]] == [problem.number]
    assert rows[0][:3] == ["number", "title", "state"]
    assert [[*row[:2], row[5]] for row in rows[1:]] == [
        [problem.number, "网银登录反复缓慢", "vm-web-01"]]
    assert xlsx_rows(client.get("/problems/export/", {"queue": "mine", "format": "xlsx"}))[1:] \
        == []
