"""POST /api/v1/incidents/{number}/actions/{action}: the lifecycle over HTTP."""

import pytest

from opsdesk.incidents import actions
from opsdesk.incidents.models import Incident

from .conftest import (
    Api,
    assert_error,
    assigned,
    closed,
    in_progress,
    phone_fault,
    resolved,
    written,
)


def ok(response) -> dict:
    assert response.status_code == 200, response.content
    return response.json()


def test_a_phone_incident_walks_through_rejection_to_closure(cast, as_agent, as_engineer):
    incident = as_agent.post("/incidents", phone_fault(
        occurred_at="2026-11-23T09:30:00+08:00")).json()
    incident = ok(as_agent.act(incident["number"], "assign", {
        "version": incident["version"], "team": "二线系统组", "assignee": "engineer_chen",
        "note": "转二线"}))
    assert (incident["status"], incident["team"]) == ("assigned", "二线系统组")
    incident = ok(as_engineer.act(incident["number"], "accept", {"version": incident["version"]}))
    assert (incident["status"], incident["accepted_at"]) == ("in_progress", "2026-11-23T02:00:00Z")
    incident = ok(as_engineer.act(incident["number"], "pend", {
        "version": incident["version"], "waiting_on": "requester", "reason": "等客户提供截图"}))
    assert (incident["status"], incident["waiting_on"]) == ("pending", "requester")
    incident = ok(as_engineer.act(incident["number"], "resume", {"version": incident["version"]}))
    assert (incident["status"], incident["waiting_on"]) == ("in_progress", None)
    incident = ok(as_engineer.act(incident["number"], "resolve", {
        "version": incident["version"], "closure_code": "workaround", "solution": "重启了应用服务",
        "problem": "new",
        "business_recovered_at": "2026-11-23T09:45:00+08:00"}))
    assert (incident["status"], incident["closure_code"]) == ("resolved", "workaround")
    assert incident["needs_problem"] is True and incident["resolver_role"] == "l2"

    response = as_agent.act(incident["number"], "reject",
                            {"version": incident["version"], "reason": "客户反映仍然很慢"})
    outcome = ok(response)
    original, copy = outcome["incident"], outcome["copy"]
    assert (original["status"], original["closure_code"]) == ("closed", "unsuccessful")
    assert original["copy"] == copy["number"] == "INC-20261123-0002"
    assert copy["copied_from"] == original["number"]
    assert (copy["status"], copy["assignee"]["username"]) == ("assigned", "engineer_chen")

    copy = ok(as_engineer.act(copy["number"], "accept", {"version": copy["version"]}))
    copy = ok(as_engineer.act(copy["number"], "resolve", {
        "version": copy["version"], "closure_code": "successful", "solution": "扩容数据盘"}))
    copy = ok(as_agent.act(copy["number"], "confirm", {"version": copy["version"],
                                                        "note": "客户电话确认"}))
    assert (copy["status"], copy["closed_at"]) == ("closed", "2026-11-23T02:00:00Z")


def test_a_monitoring_alert_closes_on_resolution(cast, as_engineer):
    incident = in_progress(cast, channel="monitoring", kind="alert")
    body = ok(as_engineer.act(incident, "resolve", {
        "version": incident.version, "closure_code": "successful", "solution": "自动恢复"}))
    assert body["status"] == "closed"


def test_an_inspection_finding_is_closed_by_the_desk(cast, as_agent):
    incident = resolved(cast, channel="inspection")
    body = ok(as_agent.act(incident, "close", {"version": incident.version}))
    assert (body["status"], body["closure_code"]) == ("closed", "successful")


def test_a_user_reported_incident_needs_confirmation_not_close(cast, as_agent):
    incident = resolved(cast)
    before = written()
    response = as_agent.act(incident, "close", {"version": incident.version})
    assert_error(response, 409, "transition_not_allowed")
    assert written() == before


def test_a_new_incident_cannot_be_accepted(cast, as_engineer):
    incident = cast.log()
    assert_error(as_engineer.act(incident, "accept", {"version": 1}), 409,
                 "transition_not_allowed")


def test_a_stale_version_is_a_conflict(cast, as_engineer):
    incident = assigned(cast)
    before = written()
    response = as_engineer.act(incident, "accept", {"version": incident.version - 1})
    assert_error(response, 409, "version_conflict")
    assert Incident.objects.get(pk=incident.pk).status == "assigned"
    assert written() == before


@pytest.mark.parametrize(("action", "body"), [
    ("comment", {"body": "还有问题吗"}),
    ("assign", {"team": "二线系统组"}),
    ("override-priority", {"priority": 1, "reason": "客户升级"}),
])
def test_a_closed_incident_never_changes_again(cast, as_agent, action, body):
    incident = closed(cast)
    before = written()
    response = as_agent.act(incident, action, {"version": incident.version, **body})
    assert_error(response, 409, "incident_closed")
    assert written() == before


def test_a_requester_may_not_assign(cast):
    incident = cast.log()
    before = written()
    response = Api(cast.requester_zhao).act(incident, "assign",
                                            {"version": 1, "team": "二线系统组"})
    assert_error(response, 403, "forbidden")
    assert written() == before


def test_only_the_assignee_accepts(cast):
    incident = assigned(cast)
    response = Api(cast.l2_colleague_sun).act(incident, "accept", {"version": incident.version})
    assert_error(response, 403, "forbidden")


def test_another_requester_may_not_touch_the_incident(cast):
    incident = resolved(cast)
    response = Api(cast.outsider).act(incident, "confirm", {"version": incident.version})
    assert_error(response, 403, "forbidden")
    assert Incident.objects.get(pk=incident.pk).status == "resolved"


@pytest.mark.parametrize(("action", "body", "fields"), [
    ("assign", {"team": "不存在的组"}, {"team"}),
    ("assign", {"team": "二线系统组", "assignee": "nobody"}, {"assignee"}),
    ("assign", {"team": "二线系统组", "assignee": "agent_li"}, {"assignee"}),
    ("assign", {}, {"team"}),
    ("accept", {}, {"version"}),
    ("accept", {"version": "two"}, {"version"}),
    ("link-duplicate", {"master": "INC-20991231-0001"}, {"master"}),
    ("override-priority", {"priority": 9, "reason": "客户升级"}, {"priority"}),
    ("override-priority", {"priority": 1, "reason": ""}, {"reason"}),
    ("comment", {"body": ""}, {"body"}),
    ("comment", {"body": "好的", "public": "maybe"}, {"public"}),
])
def test_bad_action_bodies_are_refused_and_nothing_is_written(cast, as_agent, action, body,
                                                              fields):
    incident = cast.log()
    before = written()
    response = as_agent.act(incident, action, {"version": 1, **body} if "version" not in fields
                            else body)
    assert_error(response, 422, "invalid", fields)
    assert written() == before
    assert Incident.objects.get(pk=incident.pk).version == 1


@pytest.mark.parametrize(("action", "body", "fields"), [
    ("pend", {"waiting_on": "weather", "reason": "x"}, {"waiting_on"}),
    ("pend", {"waiting_on": "vendor", "reason": " "}, {"reason"}),
    ("resolve", {"closure_code": "fixed", "solution": "x"}, {"closure_code"}),
    ("resolve", {"closure_code": "successful", "solution": ""}, {"solution"}),
    ("resolve", {"closure_code": "successful", "solution": "x", "ci": "vm-missing"}, {"ci"}),
    ("resolve", {"closure_code": "successful", "solution": "x",
                 "business_recovered_at": "2026-11-23T12:00:00+08:00"},
     {"business_recovered_at"}),
])
def test_bad_work_on_an_incident_in_progress_is_refused(cast, as_engineer, action, body, fields):
    incident = in_progress(cast)
    before = written()
    response = as_engineer.act(incident, action, {"version": incident.version, **body})
    assert_error(response, 422, "invalid", fields)
    assert written() == before


def test_a_rejection_needs_a_reason(cast, as_agent):
    incident = resolved(cast)
    before = written()
    assert_error(as_agent.act(incident, "reject", {"version": incident.version, "reason": ""}),
                 422, "invalid", {"reason"})
    assert written() == before


def test_a_duplicate_follows_its_master_to_resolution_and_closure(cast, as_agent, as_engineer):
    master = in_progress(cast, title="网银系统全部无法登录")
    duplicate = cast.log()
    body = ok(as_agent.act(duplicate, "link-duplicate",
                           {"version": duplicate.version, "master": master.number}))
    assert body["duplicate_of"] == master.number
    resolved_master = ok(as_engineer.act(master, "resolve", {
        "version": master.version, "closure_code": "successful_with_problem",
        "solution": "修复了负载均衡配置", "problem": "new"}))
    seen = ok(as_agent.get(f"/incidents/{duplicate.number}"))
    assert (seen["status"], seen["closure_code"]) == ("resolved", "successful_with_problem")
    ok(as_agent.act(master, "confirm", {"version": resolved_master["version"]}))
    seen = ok(as_agent.get(f"/incidents/{duplicate.number}"))
    assert (seen["status"], seen["closure_code"]) == ("closed", "successful_with_problem")


def test_the_incident_manager_overrides_the_priority_with_a_reason(cast):
    incident = cast.log()
    body = ok(Api(cast.lead_wang).act(incident, "override-priority", {
        "version": 1, "priority": 1, "reason": "VIP 客户交易系统"}))
    assert (body["priority"], body["matrix_priority"], body["priority_override"]) == (1, 3, 1)
    assert body["priority_override_by"] == {"username": "lead_wang", "display_name": "王芳"}
    assert body["priority_override_reason"] == "VIP 客户交易系统"
    assert body["priority_override_at"] == "2026-11-23T02:00:00Z"


def test_comments_need_no_version_and_requesters_comments_are_public(cast, as_engineer):
    incident = assigned(cast)
    body = ok(as_engineer.act(incident, "comment", {"body": "已联系客户", "public": True}))
    assert body["version"] == incident.version
    ok(Api(cast.requester_zhao).act(incident, "comment", {"body": "谢谢", "public": False}))
    events = as_engineer.get(f"/incidents/{incident.number}/timeline").json()
    assert [(e["note"], e["public"]) for e in events if e["kind"] == "comment"] == [
        ("已联系客户", True), ("谢谢", True)]


def test_a_comment_with_a_stale_version_is_a_conflict(cast, as_engineer):
    incident = assigned(cast)
    response = as_engineer.act(incident, "comment", {"body": "x", "version": 1})
    assert_error(response, 409, "version_conflict")


def test_errors_speak_english_when_asked(cast):
    incident = assigned(cast)
    response = Api(cast.engineer_chen, language="en").act(incident, "accept", {"version": 1})
    body = assert_error(response, 409, "version_conflict")
    assert response["Content-Language"] == "en"
    assert body["message"] == (
        "This record was changed by someone else. Reload it and apply your change again.")


def test_the_assignees_own_tokens_see_the_copy_after_rejection(cast):
    incident = resolved(cast)
    _original, copy = actions.reject(incident, actor=cast.agent_li, source="web",
                                     expected_version=incident.version, reason="没解决")
    listed = Api(cast.engineer_chen).get("/incidents", {"assignee": "engineer_chen",
                                                        "status": "assigned"})
    assert [item["number"] for item in listed.json()["items"]] == [copy.number]
