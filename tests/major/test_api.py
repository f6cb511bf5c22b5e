"""/api/v1/major-incidents: declare, read, update, mark a step, lift, report;
each with its success, 401, 403 and 422."""

import pytest

from opsdesk.major.models import MajorIncident

from ..api.conftest import Api, assert_error
from .conftest import P1, make_plan


@pytest.fixture
def incident(crew):
    make_plan(crew, cis=[crew.ci])
    return crew.log(**P1)


def declare_body(declared, **overrides):
    body = {"incident": declared.number, "reason": "交易中断",
            "team": [{"user": "engineer_chen", "role": "technical_lead"}]}
    body.update(overrides)
    return body


def test_declare_read_update_step_lift_and_report(crew, incident, frozen):
    api = Api(crew.lead_wang)
    created = api.post("/major-incidents", declare_body(incident))
    assert created.status_code == 201, created.content
    major = created.json()
    assert (major["number"], major["status"], major["plans"]) == (
        incident.number, "active", ["云主机应急预案"])
    assert [(m["user"], m["role"]) for m in major["team"]] == [
        ("lead_wang", "commander"), ("engineer_chen", "technical_lead")]
    path = f"/major-incidents/{incident.number}"

    chen = Api(crew.engineer_chen)
    updated = chen.post(f"{path}/updates", {"text": "已切换备机"}).json()
    assert [u["text"] for u in updated["updates"]] == ["已切换备机"]
    step = updated["steps"][0]["id"]
    stepped = chen.post(f"{path}/steps/{step}/done", {"note": "确认完毕"}).json()
    assert (stepped["steps"][0]["done_by"], stepped["steps"][0]["note"]) == (
        "engineer_chen", "确认完毕")
    assert_error(api.get(f"{path}/report"), 404, "not_found")

    lifted = api.post(f"{path}/lift", {"business_recovered_at": "2026-11-23T10:00:00+08:00",
                                       "cause": "磁盘故障"})
    assert lifted.status_code == 200, lifted.content
    assert lifted.json()["status"] == "lifted" and lifted.json()["problem"].startswith("PRB-")
    report = api.get(f"{path}/report").json()
    assert report["recovery_minutes"] == 0 and report["content"]["cause"] == "磁盘故障"
    assert chen.get(path).json()["lifted_at"] is not None


def test_anonymous_callers_get_401(crew, incident):
    anonymous = Api()
    assert_error(anonymous.post("/major-incidents", declare_body(incident)), 401,
                 "not_authenticated")
    assert_error(anonymous.get(f"/major-incidents/{incident.number}"), 401, "not_authenticated")


def test_forbidden_callers_get_403_and_nothing_is_written(crew, incident):
    assert_error(Api(crew.engineer_chen).post("/major-incidents", declare_body(incident)), 403,
                 "forbidden")
    assert_error(Api(crew.requester_zhao).post("/major-incidents", declare_body(incident)), 403,
                 "forbidden")
    assert MajorIncident.objects.count() == 0
    Api(crew.lead_wang).post("/major-incidents", declare_body(incident))
    path = f"/major-incidents/{incident.number}"
    assert_error(Api(crew.requester_zhao).get(path), 403, "forbidden")
    assert_error(Api(crew.agent_li).post(f"{path}/updates", {"text": "x"}), 403, "forbidden")
    assert_error(Api(crew.l2_colleague_sun).post(
        f"{path}/lift", {"business_recovered_at": "2026-11-23T10:00:00+08:00"}), 403, "forbidden")


def test_bad_input_gets_422_and_changes_nothing(crew, incident):
    api = Api(crew.lead_wang)
    assert_error(api.post("/major-incidents", declare_body(incident, reason="")), 422,
                 "invalid", ["reason"])
    assert_error(api.post("/major-incidents", declare_body(
        incident, incident="INC-19990101-0001")), 422, "invalid", ["incident"])
    assert_error(api.post("/major-incidents", declare_body(
        incident, team=[{"user": "nobody", "role": "member"}])), 422, "invalid", ["team"])
    assert_error(api.post("/major-incidents", declare_body(
        incident, team=[{"user": "engineer_chen", "role": "boss"}])), 422, "invalid",
        ["team.0.role"])
    assert MajorIncident.objects.count() == 0
    api.post("/major-incidents", declare_body(incident))
    path = f"/major-incidents/{incident.number}"
    assert_error(api.post(f"{path}/updates", {"text": " "}), 422, "invalid", ["text"])
    assert_error(api.post(f"{path}/lift", {"business_recovered_at": "soon"}), 422, "invalid",
                 ["business_recovered_at"])
    assert_error(api.post(f"{path}/lift", {}), 422, "invalid", ["business_recovered_at"])
    assert_error(api.post(f"{path}/steps/0/done", {}), 422, "invalid", ["step"])
    assert MajorIncident.objects.get().status == "active"
