"""PATCH /api/v1/incidents/{number}: editing fields with the record's version."""

from opsdesk.incidents.models import Incident

from .conftest import Api, assert_error, assigned, closed, written


def test_an_engineer_raises_the_impact_and_the_priority_follows(cast, as_engineer):
    incident = assigned(cast)
    response = as_engineer.patch(f"/incidents/{incident.number}", {
        "version": incident.version, "impact": "high", "symptoms": "登录页白屏",
    })
    assert response.status_code == 200
    body = response.json()
    assert (body["impact"], body["priority"], body["matrix_priority"]) == ("high", 2, 2)
    assert (body["symptoms"], body["version"]) == ("登录页白屏", incident.version + 1)
    events = as_engineer.get(f"/incidents/{incident.number}/timeline").json()
    assert events[-2]["kind"] == "updated"
    assert events[-2]["changes"]["priority"] == [3, 2]
    assert events[-1]["kind"] == "sla_recalculated"


def test_names_change_related_records_and_null_clears_them(cast, as_agent):
    incident = cast.log()
    response = as_agent.patch(f"/incidents/{incident.number}", {
        "version": 1, "customer": "mingda", "ci": None,
        "requester": {"phone": "021-5555 0100"},
    })
    assert response.status_code == 200
    body = response.json()
    assert (body["customer"], body["is_vip"], body["ci"]) == ("明达物流", False, None)
    assert body["requester"]["phone"] == "021-5555 0100"
    assert body["requester"]["name"] == "赵敏"


def test_a_stale_version_is_a_conflict_and_changes_nothing(cast, as_agent):
    incident = assigned(cast)
    before = written()
    response = as_agent.patch(f"/incidents/{incident.number}",
                              {"version": incident.version - 1, "title": "旧标题覆盖"})
    assert_error(response, 409, "version_conflict")
    assert Incident.objects.get(pk=incident.pk).title == "网银系统登录缓慢"
    assert written() == before


def test_a_closed_incident_cannot_be_edited(cast, as_agent):
    incident = closed(cast)
    before = written()
    response = as_agent.patch(f"/incidents/{incident.number}",
                              {"version": incident.version, "title": "补充"})
    assert_error(response, 409, "incident_closed")
    assert written() == before


def test_a_requester_may_not_edit_fields(cast):
    incident = cast.log()
    response = Api(cast.requester_zhao).patch(f"/incidents/{incident.number}",
                                              {"version": 1, "urgency": "critical"})
    assert_error(response, 403, "forbidden")
    assert Incident.objects.get(pk=incident.pk).urgency == "high"


def test_bad_edits_are_refused_and_nothing_is_written(cast, as_agent):
    incident = cast.log()
    before = written()
    path = f"/incidents/{incident.number}"
    assert_error(as_agent.patch(path, {"title": "没有版本"}), 422, "invalid", {"version"})
    assert_error(as_agent.patch(path, {"version": 1, "status": "closed"}), 422, "invalid",
                 {"status"})
    assert_error(as_agent.patch(path, {"version": 1, "ci": "vm-missing", "urgency": "soon"}),
                 422, "invalid", {"urgency"})
    assert_error(as_agent.patch(path, {"version": 1, "ci": "vm-missing"}), 422, "invalid",
                 {"ci"})
    assert_error(as_agent.patch(path, {"version": 1, "title": ""}), 422, "invalid", {"title"})
    assert written() == before
    assert Incident.objects.get(pk=incident.pk).version == 1
