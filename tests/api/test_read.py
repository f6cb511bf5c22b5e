"""GET an incident, the list with its filters and cursor, and the timeline."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from ninja.responses import NinjaJSONEncoder

from opsdesk.incidents import actions
from opsdesk.incidents.schemas import IncidentPage, IncidentRead

from .conftest import Api, assert_error, assigned, in_progress, resolved


def numbers(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["number"] for item in response.json()["items"]]


def test_an_agent_reads_an_incident(cast, as_agent):
    incident = assigned(cast)
    response = as_agent.get(f"/incidents/{incident.number}")
    assert response.status_code == 200
    body = response.json()
    assert (body["number"], body["status"], body["version"]) == (incident.number, "assigned", 2)
    assert (body["team"], body["team_tier"]) == ("二线系统组", "l2")
    assert body["assignee"] == {"username": "engineer_chen", "display_name": "陈伟"}
    assert body["assigned_at"] == "2026-11-23T02:00:00Z"


def test_a_requester_reads_their_own_incident(cast):
    incident = cast.log()
    response = Api(cast.requester_zhao).get(f"/incidents/{incident.number}")
    assert response.status_code == 200
    assert response.json()["title"] == "网银系统登录缓慢"


def test_a_requester_may_not_read_anothers_incident(cast):
    incident = cast.log()
    assert_error(Api(cast.outsider).get(f"/incidents/{incident.number}"), 403, "forbidden")


def test_the_record_names_its_copy_and_its_master(cast, as_agent):
    rejected = resolved(cast)
    _original, copy = actions.reject(rejected, actor=cast.agent_li, source="web",
                                     expected_version=rejected.version, reason="仍然很慢")
    master = cast.log(title="网银系统全部无法登录")
    duplicate = cast.log()
    actions.link_duplicate(duplicate, actor=cast.agent_li, source="web",
                           expected_version=duplicate.version, master=master)
    assert as_agent.get(f"/incidents/{rejected.number}").json()["copy"] == copy.number
    assert as_agent.get(f"/incidents/{copy.number}").json()["copied_from"] == rejected.number
    assert as_agent.get(f"/incidents/{duplicate.number}").json()["duplicate_of"] == master.number


def test_the_list_is_newest_first_and_pages_with_a_cursor(cast, as_agent):
    logged = [cast.log(title=f"打印机故障 {n}").number for n in range(5)]
    first = as_agent.get("/incidents", {"limit": 2})
    assert numbers(first) == logged[:2:-1] and first.json()["next_cursor"]
    second = as_agent.get("/incidents", {"limit": 2, "cursor": first.json()["next_cursor"]})
    assert numbers(second) == logged[2:0:-1]
    last = as_agent.get("/incidents", {"limit": 2, "cursor": second.json()["next_cursor"]})
    assert numbers(last) == logged[:1] and last.json()["next_cursor"] is None


def test_the_list_filters_by_status_as_a_list_or_repeated(cast, as_agent):
    new, waiting, working = cast.log(), assigned(cast), in_progress(cast)
    assert numbers(as_agent.get("/incidents", {"status": "new,in_progress"})) == [
        working.number, new.number]
    assert numbers(as_agent.get("/incidents?status=assigned&status=in_progress")) == [
        working.number, waiting.number]


def test_the_list_filters_by_what_users_name(cast, as_agent):
    urgent = cast.log(urgency="critical", impact="high")
    mine = assigned(cast)
    other = cast.log(customer=cast.other_customer, ci=None, category=None,
                     title="仓库扫码枪无法连接")
    cases = {
        "priority": ({"priority": "1"}, [urgent]),
        "team": ({"team": "二线系统组"}, [mine]),
        "assignee": ({"assignee": "engineer_chen"}, [mine]),
        "customer": ({"customer": "mingda"}, [other]),
        "category": ({"category": "虚拟机磁盘变更"}, [mine, urgent]),
        "ci": ({"ci": "vm-web-01"}, [mine, urgent]),
        "text": ({"q": "扫码枪"}, [other]),
        "number": ({"q": urgent.number}, [urgent]),
    }
    for name, (params, expected) in cases.items():
        assert numbers(as_agent.get("/incidents", params)) == [i.number for i in expected], name


def test_the_list_filters_by_registration_time(cast, as_agent, frozen):
    early = cast.log()
    frozen.shift(3600)
    late = cast.log()
    after = {"created_after": "2026-11-23T10:30:00+08:00"}
    before = {"created_before": "2026-11-23T10:30:00+08:00"}
    assert numbers(as_agent.get("/incidents", after)) == [late.number]
    assert numbers(as_agent.get("/incidents", before)) == [early.number]


def test_the_list_filters_by_a_missed_target(cast, as_agent, frozen):
    late = cast.log(title="无人响应的事件")  # P3: a response is due within 30 minutes
    frozen.shift(3600)
    fresh = cast.log(title="刚登记的事件")
    assert numbers(as_agent.get("/incidents", {"breached": "true"})) == [late.number]
    assert numbers(as_agent.get("/incidents", {"breached": "false"})) == [fresh.number]


def test_the_list_sorts_by_priority(cast, as_agent):
    low = cast.log(urgency="low", impact="low")
    urgent = cast.log(urgency="critical", impact="high")
    assert numbers(as_agent.get("/incidents", {"sort": "priority"})) == [
        urgent.number, low.number]


def test_a_requester_lists_only_their_own_incidents(cast):
    theirs = cast.log()
    cast.log(requester=cast.outsider, customer=cast.other_customer)
    assert numbers(Api(cast.requester_zhao).get("/incidents")) == [theirs.number]


@pytest.mark.parametrize(("params", "field"), [
    ({"status": "open,broken"}, "status"),
    ({"priority": "urgent"}, "priority"),
    ({"priority": "7"}, "priority"),
    ({"limit": 201}, "limit"),
    ({"limit": 0}, "limit"),
    ({"sort": "random"}, "sort"),
    ({"cursor": "not-a-cursor"}, "cursor"),
    ({"created_after": "2026-11-23T10:30:00"}, "created_after"),
])
def test_bad_list_parameters_are_named(cast, as_agent, params, field):
    cast.log()
    assert_error(as_agent.get("/incidents", params), 422, "invalid", {field})


def test_unknown_statuses_are_named_in_the_order_given(cast):
    english = Api(cast.agent_li, language="en")
    body = assert_error(english.get("/incidents", {"status": "zzz,open,new,aaa,zzz"}),
                        422, "invalid", {"status"})
    assert body["fields"]["status"] == "Unknown status: zzz, open, aaa."


def test_a_list_page_costs_the_same_queries_for_2_or_20_rows(cast, as_agent):
    def page_queries(expected_rows: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert len(numbers(as_agent.get("/incidents"))) == expected_rows
        return len(queries)

    def log_linked_rows():
        # Every kind of related row the list shows: team, assignee, override, links.
        incident = resolved(cast)
        actions.reject(incident, actor=cast.agent_li, source="web",
                       expected_version=incident.version, reason="仍然很慢")
        master = cast.log()
        actions.override_priority(master, actor=cast.lead_wang, source="web",
                                  expected_version=master.version, priority=1, reason="VIP")

    as_agent.get("/teams")  # the token's first use is recorded; later ones are not
    log_linked_rows()
    small = page_queries(3)
    for _ in range(6):
        log_linked_rows()
    # The token, the page's keys, then its rows with their related records.
    assert page_queries(21) == small == 3


def test_the_timeline_shows_every_event_to_staff(cast, as_agent):
    incident = assigned(cast)
    actions.comment(incident, actor=cast.engineer_chen, source="web", body="查看了磁盘 IO",
                    public=False)
    response = as_agent.get(f"/incidents/{incident.number}/timeline")
    assert response.status_code == 200
    events = response.json()
    assert [event["kind"] for event in events] == ["logged", "assigned", "comment"]
    assigned_event = events[1]
    assert assigned_event["actor"] == {"username": "agent_li", "display_name": "李娜"}
    assert assigned_event["changes"]["team"] == [None, "二线系统组"]
    assert (events[2]["note"], events[2]["public"]) == ("查看了磁盘 IO", False)


def test_the_requester_sees_only_public_events(cast):
    incident = assigned(cast)
    actions.comment(incident, actor=cast.engineer_chen, source="web", body="内部备注",
                    public=False)
    actions.comment(incident, actor=cast.engineer_chen, source="web", body="正在处理",
                    public=True)
    events = Api(cast.requester_zhao).get(f"/incidents/{incident.number}/timeline").json()
    assert [(event["kind"], event["note"]) for event in events] == [
        ("logged", ""), ("comment", "正在处理")]


def test_another_requester_may_not_read_the_timeline(cast):
    incident = cast.log()
    response = Api(cast.outsider).get(f"/incidents/{incident.number}/timeline")
    assert_error(response, 403, "forbidden")


def test_incidents_are_sent_exactly_as_their_declared_schema_renders_them(cast, as_agent):
    """The API sends incident_read's dicts without validating them again; the
    bytes must be what validating against IncidentRead would have produced."""
    working = in_progress(cast)
    working = actions.override_priority(working, actor=cast.lead_wang, source="web",
                                        expected_version=working.version, priority=1,
                                        reason="VIP 客户")
    rejected = actions.resolve(working, actor=cast.engineer_chen, source="web",
                               expected_version=working.version, closure_code="workaround",
                               solution="重启了应用服务器", problem="new")
    _closed, copy = actions.reject(rejected, actor=cast.agent_li, source="web",
                                   expected_version=rejected.version, reason="仍然很慢")
    duplicate = cast.log(title="网银又慢了")
    actions.link_duplicate(duplicate, actor=cast.agent_li, source="web",
                           expected_version=duplicate.version, master=copy)
    page = as_agent.get("/incidents")
    assert len(page.json()["items"]) == 3
    validated = IncidentPage.model_validate(page.json()).model_dump(by_alias=True)
    assert page.content == json.dumps(validated, cls=NinjaJSONEncoder).encode()
    one = as_agent.get(f"/incidents/{rejected.number}")
    validated = IncidentRead.model_validate(one.json()).model_dump(by_alias=True)
    assert one.content == json.dumps(validated, cls=NinjaJSONEncoder).encode()
