"""/api/v1/calls: record one call or a batch, idempotently; list with filters."""

import pytest

from opsdesk.calls.models import CallRecord

from ..api.conftest import Api, assert_error


@pytest.fixture
def api(cast):
    return Api(cast.agent_li, language="en")


def call(**overrides) -> dict:
    body = {"source": "avaya", "external_id": "C-1001", "caller_number": "13800000000",
            "caller_name": "赵敏", "customer": "huaxin",
            "offered_at": "2026-11-23T09:00:00+08:00",
            "answered_at": "2026-11-23T09:00:12+08:00",
            "ended_at": "2026-11-23T09:04:00+08:00", "agent": "agent_li"}
    body.update(overrides)
    return body


def test_a_call_is_recorded_once_and_linked_to_its_incident(cast, api):
    incident = cast.log()
    answer = api.post("/calls", call(incident=incident.number))
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert {key: body[key] for key in ("outcome", "answer_seconds", "agent", "agent_name",
                                       "customer", "incident", "direction")} == {
        "outcome": "created", "answer_seconds": 12, "agent": "agent_li", "agent_name": "李娜",
        "customer": "huaxin", "incident": incident.number, "direction": "inbound"}
    again = api.post("/calls", call(incident=incident.number))
    assert (again.status_code, again.json()["outcome"], again.json()["id"]) == (
        200, "unchanged", body["id"])
    assert CallRecord.objects.get().incident == incident


def test_a_call_sent_again_with_news_is_updated(cast, api):
    api.post("/calls", call(answered_at=None, ended_at=None))
    assert CallRecord.objects.get().answered_at is None
    answer = api.post("/calls", call())
    assert (answer.status_code, answer.json()["outcome"]) == (200, "updated")
    stored = CallRecord.objects.get()
    assert (stored.answer_seconds, CallRecord.objects.count()) == (12, 1)


def test_a_batch_is_recorded_together(cast, api):
    answer = api.post("/calls/batch", {"calls": [
        call(), call(external_id="C-1002", answered_at=None,
                     ended_at="2026-11-23T09:01:00+08:00")]})
    assert answer.status_code == 201
    assert [(row["external_id"], row["outcome"], row["answer_seconds"])
            for row in answer.json()["calls"]] == [("C-1001", "created", 12),
                                                   ("C-1002", "created", None)]
    again = api.post("/calls/batch", {"calls": [call(), call(external_id="C-1003")]})
    assert [row["outcome"] for row in again.json()["calls"]] == ["unchanged", "created"]
    unchanged = api.post("/calls/batch", {"calls": [call()]})
    assert (unchanged.status_code, unchanged.json()["calls"][0]["outcome"]) == (200, "unchanged")


def test_one_bad_call_refuses_the_batch(cast, api):
    answer = api.post("/calls/batch", {"calls": [
        call(), call(external_id="C-1002", incident="INC-20990101-0001",
                     answered_at="2026-11-23T08:00:00+08:00")]})
    body = assert_error(answer, 422, "invalid", ["calls.1.incident", "calls.1.answered_at"])
    assert body["fields"]["calls.1.incident"] == "No incident with this number."
    assert body["fields"]["calls.1.answered_at"] == "Cannot be before the call was offered."
    assert CallRecord.objects.count() == 0


def test_bad_input_is_named_by_field(cast, api):
    assert_error(api.post("/calls", call(agent="nobody", customer="acme")), 422, "invalid",
                 ["agent", "customer"])
    assert_error(api.post("/calls", call(offered_at="2026-11-23T09:00:00")), 422, "invalid",
                 ["offered_at"])
    assert_error(api.post("/calls", call(direction="sideways")), 422, "invalid", ["direction"])
    assert_error(api.post("/calls/batch", {"calls": [call(), call()]}), 422, "invalid",
                 ["calls.1.external_id"])
    assert_error(api.post("/calls/batch", {"calls": []}), 422, "invalid", ["calls"])
    assert CallRecord.objects.count() == 0


def test_requesters_and_strangers_are_refused(cast):
    assert_error(Api(cast.requester_zhao).post("/calls", call()), 403, "forbidden")
    assert_error(Api(cast.requester_zhao).get("/calls"), 403, "forbidden")
    assert_error(Api().post("/calls", call()), 401, "not_authenticated")
    assert_error(Api().get("/calls"), 401, "not_authenticated")
    assert CallRecord.objects.count() == 0


def test_the_list_filters_and_pages(cast, api):
    incident = cast.log()
    api.post("/calls/batch", {"calls": [
        call(external_id="A", offered_at="2026-11-23T08:00:00+08:00",
             answered_at="2026-11-23T08:00:05+08:00", ended_at=None),
        call(external_id="B", offered_at="2026-11-23T08:30:00+08:00", answered_at=None,
             ended_at=None),
        call(external_id="C", offered_at="2026-11-23T09:00:00+08:00",
             answered_at="2026-11-23T09:00:30+08:00", ended_at=None, incident=incident.number),
    ]})
    ids = lambda answer: [row["external_id"] for row in answer.json()["items"]]  # noqa: E731
    assert ids(api.get("/calls")) == ["C", "B", "A"]
    assert ids(api.get("/calls", {"answered": "false"})) == ["B"]
    assert ids(api.get("/calls", {"incident": incident.number})) == ["C"]
    assert ids(api.get("/calls", {"since": "2026-11-23T08:15:00+08:00",
                                  "until": "2026-11-23T09:00:00+08:00"})) == ["B"]
    first = api.get("/calls", {"limit": 2}).json()
    assert [row["external_id"] for row in first["items"]] == ["C", "B"]
    rest = api.get("/calls", {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert ([row["external_id"] for row in rest["items"]], rest["next_cursor"]) == (["A"], None)
    assert_error(api.get("/calls", {"limit": 0}), 422, "invalid", ["limit"])
