"""/api/v1/changes: every endpoint's success, 401, 403 and 422 with nothing written."""

import pytest

from opsdesk.changes.models import Change, ChangeApproval
from opsdesk.core.models import TimelineEvent

from ..api.conftest import Api, assert_error
from .conftest import MEDIUM_RISK, draft, walk_to

RFC = {"kind": "normal", "title": "核心交换机固件升级", "reason": "厂商安全公告",
       "implementation_plan": "逐台升级", "rollback_plan": "回退到旧固件", "cis": ["vm-web-01"],
       "planned_start": "2026-12-01T22:00:00+08:00", "planned_end": "2026-12-01T23:00:00+08:00",
       "risk_answers": MEDIUM_RISK, "implementer_team": "二线系统组", "customer": "huaxin"}


def _written():
    return Change.objects.count(), ChangeApproval.objects.count(), TimelineEvent.objects.count()


def test_strangers_get_401(board, client):
    for path in ("/api/v1/changes", "/api/v1/changes/CHG-20261123-0001"):
        assert client.get(path).status_code == 401
    assert client.post("/api/v1/changes", {}, content_type="application/json").status_code \
        == 401


def test_raise_submit_read_and_list(board):
    api = Api(board.engineer_chen)
    response = api.post("/changes", {**RFC, "submit": True})
    assert response.status_code == 201, response.content
    change = response.json()
    assert (change["state"], change["risk_level"], change["risk_score"], change["cis"],
            change["requested_by"]) == ("submitted", "medium", 4, ["vm-web-01"],
                                        "engineer_chen")
    assert api.get(f"/changes/{change['number']}").json()["number"] == change["number"]
    listed = Api(board.change_manager_xu).get("/changes", {"queue": "to_assess"}).json()
    assert [row["number"] for row in listed] == [change["number"]]


def test_bad_input_is_422_and_writes_nothing(board):
    api = Api(board.engineer_chen)
    before = _written()
    assert_error(api.post("/changes", {**RFC, "cis": ["nowhere-01"]}), 422, "invalid", ["cis"])
    assert_error(api.post("/changes", {**RFC, "planned_end": "2026-12-01T21:00:00+08:00"}),
                 422, "invalid", ["planned_end"])
    assert_error(api.post("/changes", {**RFC, "risk_answers": {"testing": "maybe"}}), 422,
                 "invalid", ["risk.testing", "risk.services", "risk.outage", "risk.users",
                             "risk.experience", "risk.rollback"])
    assert_error(api.post("/changes", {**RFC, "kind": "urgent"}), 422, "invalid", ["kind"])
    assert_error(api.post("/changes", {**RFC, "submit": True, "rollback_plan": ""}), 422,
                 "invalid", ["rollback_plan"])
    assert_error(Api(board.engineer_chen).get("/changes", {"queue": "nope"}), 422, "invalid",
                 ["queue"])
    assert _written() == before


def test_requesters_are_refused(board):
    change = draft(board)
    api = Api(board.requester_zhao)
    assert api.get("/changes").json() == []
    assert_error(api.get(f"/changes/{change.number}"), 403, "forbidden")
    assert_error(api.post("/changes", RFC), 403, "forbidden")


def test_assess_vote_and_act_through_the_api(board):
    change = walk_to(board, "submitted")
    xu = Api(board.change_manager_xu)
    before = _written()
    assert_error(Api(board.engineer_chen).post(
        f"/changes/{change.number}/actions/assess",
        {"version": change.version, "approvers": ["lead_wang", "service_manager_zheng"]}),
        403, "forbidden")
    assert_error(xu.post(f"/changes/{change.number}/actions/assess",
                         {"version": change.version, "approvers": ["lead_wang", "ghost"]}),
                 422, "invalid", ["approvers"])
    assert_error(xu.post(f"/changes/{change.number}/actions/assess",
                         {"approvers": ["lead_wang"]}), 422, "invalid", ["version"])
    assert_error(xu.post(f"/changes/{change.number}/actions/assess",
                         {"version": change.version - 1,
                          "approvers": ["lead_wang", "service_manager_zheng"]}),
                 409, "version_conflict")
    assert _written() == before
    assessed = xu.post(f"/changes/{change.number}/actions/assess",
                       {"version": change.version,
                        "approvers": ["lead_wang", "service_manager_zheng"]})
    assert assessed.status_code == 200, assessed.content
    assert [v["approver"] for v in assessed.json()["votes"]] == ["lead_wang",
                                                                   "service_manager_zheng"]

    assert_error(Api(board.lead_wang).post(f"/changes/{change.number}/vote",
                                           {"vote": "reject"}), 422, "invalid", ["comment"])
    assert_error(Api(board.agent_li).post(f"/changes/{change.number}/vote",
                                          {"vote": "approve"}), 403, "forbidden")
    Api(board.lead_wang).post(f"/changes/{change.number}/vote", {"vote": "approve"})
    decided = Api(board.service_manager_zheng).post(
        f"/changes/{change.number}/actions/vote", {"vote": "approve", "comment": "同意"})
    assert decided.json()["state"] == "approved", decided.content

    scheduled = xu.post(f"/changes/{change.number}/actions/schedule",
                        {"version": decided.json()["version"],
                         "planned_start": "2026-12-02T22:00:00+08:00",
                         "planned_end": "2026-12-02T23:30:00+08:00"}).json()
    assert (scheduled["state"], scheduled["planned_start"]) == ("scheduled",
                                                                "2026-12-02T14:00:00Z")
    assert_error(xu.post(f"/changes/{change.number}/actions/dance", {"version": 1}), 404,
                 "not_found")


def test_log_an_emergency_change_and_record_it(board):
    incident = board.log(impact="high", urgency="critical")
    api = Api(board.engineer_chen)
    assert_error(api.post("/changes/emergency", {"incident": "INC-20990101-0001",
                                                 "title": "重启"}), 422, "invalid",
                 ["incident"])
    response = api.post("/changes/emergency", {"incident": incident.number,
                                               "title": "紧急重启应用"})
    assert response.status_code == 201, response.content
    change = response.json()
    assert (change["state"], change["kind"], change["incidents"]) == (
        "implementing", "emergency", [{"incident": incident.number,
                                       "relation": "emergency_for"}])
    recorded = api.post(f"/changes/{change['number']}/actions/record", {
        "version": change["version"], "reason": "应用假死", "implementation_plan": "重启",
        "rollback_plan": "无"}).json()
    assert recorded["recorded_at"] is not None


@pytest.mark.parametrize("queue", ["mine", "my_votes", "to_assess", "scheduled", "unrecorded",
                                   "open", "all"])
def test_every_queue_answers(board, queue):
    draft(board)
    assert Api(board.change_manager_xu).get("/changes", {"queue": queue}).status_code == 200
