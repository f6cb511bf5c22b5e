"""POST /api/v1/incidents: logging an incident, with Idempotency-Key."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from opsdesk.core import timeline
from opsdesk.core.models import Category
from opsdesk.incidents import actions
from opsdesk.incidents.models import Incident

from ..conftest import FROZEN_AT
from .conftest import Api, assert_error, phone_fault, written


def test_an_agent_logs_a_phone_fault(cast, as_agent):
    response = as_agent.post("/incidents", phone_fault())
    assert response.status_code == 201
    body = response.json()
    assert body["number"] == "INC-20261123-0001"
    assert (body["status"], body["priority"], body["version"]) == ("new", 3, 1)
    assert (body["category"], body["ci"], body["service"], body["customer"]) == (
        "虚拟机磁盘变更", "vm-web-01", "云主机服务", "华信证券")
    assert body["is_vip"] is True
    assert body["requester"] == {"name": "赵敏", "email": "zhao@example.com",
                                 "phone": "13800000000"}
    assert body["occurred_at"] == body["registered_at"] == "2026-11-23T02:00:00Z"
    assert body["copy"] is body["copied_from"] is body["duplicate_of"] is None
    incident = Incident.objects.get(number=body["number"])
    assert incident.created_by == cast.agent_li
    [logged] = timeline.events_of(incident)
    assert (logged.kind, logged.source, logged.actor) == ("logged", "api", cast.agent_li)


def test_only_the_contract_fields_are_needed(cast, as_agent):
    body = {"title": "机房巡检发现风扇异响", "kind": "alert", "channel": "inspection",
            "impact": "low", "urgency": "low", "occurred_at": "2026-11-23T08:30:00+08:00"}
    response = as_agent.post("/incidents", body)
    assert response.status_code == 201
    created = response.json()
    assert (created["priority"], created["customer"], created["description"]) == (4, None, "")
    assert created["occurred_at"] == "2026-11-23T00:30:00Z"


def test_a_service_and_a_customer_may_be_named_by_name_or_code(cast, as_agent):
    response = as_agent.post("/incidents", phone_fault(service="云主机服务", customer="华信证券"))
    assert response.status_code == 201
    assert (response.json()["service"], response.json()["customer"]) == ("云主机服务", "华信证券")


def test_a_repeated_category_name_is_told_apart_by_its_parent(cast, as_agent):
    storage = Category.objects.create(name="存储")
    network = Category.objects.create(name="网络")
    Category.objects.create(name="扩容", parent=storage)
    wanted = Category.objects.create(name="扩容", parent=network)
    before = written()
    ambiguous = as_agent.post("/incidents", phone_fault(category="扩容"))
    assert_error(ambiguous, 422, "invalid", {"category"})
    assert written() == before
    response = as_agent.post("/incidents", phone_fault(category="网络 / 扩容"))
    assert response.status_code == 201
    assert Incident.objects.get(number=response.json()["number"]).category == wanted


def test_a_requester_logs_for_themself_and_their_organisation(cast):
    response = Api(cast.requester_zhao).post("/incidents", phone_fault(
        customer="mingda", requester=None))
    assert response.status_code == 201
    incident = Incident.objects.get(number=response.json()["number"])
    assert (incident.requester, incident.customer) == (cast.requester_zhao, cast.customer)
    assert response.json()["requester"]["name"] == "赵敏"


def test_unknown_names_are_refused_and_nothing_is_written(cast, as_agent):
    before = written()
    response = as_agent.post("/incidents", phone_fault(
        category="不存在的分类", ci="vm-missing", service="nope", customer="nobody"))
    assert_error(response, 422, "invalid", {"category", "ci", "service", "customer"})
    assert written() == before


def test_bad_choices_are_refused_and_nothing_is_written(cast, as_agent):
    before = written()
    response = as_agent.post("/incidents", phone_fault(kind="complaint", channel="pigeon",
                                                       impact="huge", urgency="whenever"))
    assert_error(response, 422, "invalid", {"kind", "channel", "impact", "urgency"})
    assert written() == before


def test_the_actions_field_rules_apply_and_nothing_is_written(cast, as_agent):
    before = written()
    future = (FROZEN_AT + timedelta(hours=1)).isoformat()
    response = as_agent.post("/incidents", phone_fault(title="  ", occurred_at=future))
    assert_error(response, 422, "invalid", {"title", "occurred_at"})
    response = as_agent.post("/incidents", phone_fault(occurred_at="2026-11-23T08:00:00"))
    assert_error(response, 422, "invalid", {"occurred_at"})
    response = as_agent.post("/incidents", phone_fault(title="长" * 201))
    assert_error(response, 422, "invalid", {"title"})
    assert written() == before


def test_the_same_idempotency_key_and_body_return_the_same_incident(cast, as_agent):
    first = as_agent.post("/incidents", phone_fault(), HTTP_IDEMPOTENCY_KEY="call-0815")
    again = as_agent.post("/incidents", phone_fault(), HTTP_IDEMPOTENCY_KEY="call-0815")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Incident.objects.count() == 1


def test_a_replay_shows_the_incident_as_it_is_now(cast, as_agent):
    first = as_agent.post("/incidents", phone_fault(), HTTP_IDEMPOTENCY_KEY="call-0815")
    incident = Incident.objects.get(number=first.json()["number"])
    actions.assign(incident, actor=cast.agent_li, source="web", expected_version=1, team=cast.l2)
    again = as_agent.post("/incidents", phone_fault(), HTTP_IDEMPOTENCY_KEY="call-0815")
    assert again.status_code == 201
    assert (again.json()["number"], again.json()["status"], again.json()["team"]) == (
        incident.number, "assigned", "二线系统组")


def test_the_same_idempotency_key_with_another_body_is_refused(cast, as_agent):
    as_agent.post("/incidents", phone_fault(), HTTP_IDEMPOTENCY_KEY="call-0815")
    before = written()
    response = as_agent.post("/incidents", phone_fault(urgency="critical"),
                             HTTP_IDEMPOTENCY_KEY="call-0815")
    assert_error(response, 422, "invalid", {"Idempotency-Key"})
    assert written() == before


def test_idempotency_keys_belong_to_one_user(cast, as_agent):
    mine = as_agent.post("/incidents", phone_fault(), HTTP_IDEMPOTENCY_KEY="k-1")
    theirs = Api(cast.lead_wang).post("/incidents", phone_fault(), HTTP_IDEMPOTENCY_KEY="k-1")
    assert mine.json()["number"] != theirs.json()["number"]


def test_an_overlong_idempotency_key_is_refused(cast, as_agent):
    before = written()
    response = as_agent.post("/incidents", phone_fault(), HTTP_IDEMPOTENCY_KEY="k" * 201)
    assert_error(response, 422, "invalid", {"Idempotency-Key"})
    assert written() == before


def test_names_are_looked_up_only_when_given(cast, as_agent):
    as_agent.get("/teams")  # the token's first use is recorded; later ones are not
    bare = phone_fault(category=None, ci=None, service=None, customer=None)
    with CaptureQueriesContext(connection) as without_names:
        assert as_agent.post("/incidents", bare).status_code == 201
    with CaptureQueriesContext(connection) as with_names:
        assert as_agent.post("/incidents", phone_fault()).status_code == 201
    # One lookup per name, plus the customer's contract.
    assert len(with_names) == len(without_names) + 5
    # Includes the SLA policy, its calendar's exceptions and the escalation
    # steps, read when the clock starts.
    assert len(without_names) <= 10
