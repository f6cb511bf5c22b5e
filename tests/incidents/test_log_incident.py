"""Logging an incident (事件受理): the record, its number, its first event, and
refusal of bad input without writing anything."""

from datetime import UTC, datetime

import pytest

from opsdesk.core import idempotency
from opsdesk.core.errors import Invalid
from opsdesk.core.models import Contract
from opsdesk.incidents.models import Incident

from .helpers import events, snapshot


def test_a_phone_incident_is_recorded_with_every_detail(cast):
    incident = cast.log()
    stored = Incident.objects.get(pk=incident.pk)
    assert stored.number == "INC-20261123-0001"
    assert (stored.status, stored.kind, stored.channel) == ("new", "fault", "phone")
    assert (stored.impact, stored.urgency, stored.priority) == ("medium", "high", 3)
    assert stored.customer == cast.customer and stored.is_vip
    assert stored.requester == cast.requester_zhao
    assert (stored.reporter_name, stored.reporter_email) == ("赵敏", "requester_zhao@example.com")
    assert stored.registered_at == stored.occurred_at == datetime(2026, 11, 23, 2, tzinfo=UTC)
    assert stored.created_by == cast.agent_li
    assert stored.version == 1
    assert events(incident) == [("logged", "agent_li", "web",
                                 {"status": [None, "new"], "priority": [None, 3]})]


def test_numbers_count_up_per_day(cast):
    assert [cast.log().number for _ in range(3)] == [
        "INC-20261123-0001", "INC-20261123-0002", "INC-20261123-0003"]


def test_the_number_follows_the_local_date_not_utc(cast, frozen):
    cast.log()
    frozen.move_to(datetime(2026, 11, 23, 16, 30, tzinfo=UTC))  # 00:30 on the 24th in Shanghai
    assert cast.log().number == "INC-20261124-0001"
    frozen.move_to(datetime(2026, 11, 23, 15, 59, tzinfo=UTC))  # still the 23rd
    assert cast.log().number == "INC-20261123-0002"


def test_a_requester_always_logs_for_themself_and_their_organisation(cast):
    incident = cast.log(actor=cast.requester_zhao, channel="portal",
                        requester=cast.agent_li, customer=cast.other_customer)
    assert incident.requester == cast.requester_zhao
    assert incident.customer == cast.customer


def test_the_single_active_contract_is_filled_in(cast):
    contract = Contract.objects.create(
        customer=cast.customer, number="HX-2026-01", title="运维服务合同",
        starts_on=datetime(2026, 1, 1).date(), ends_on=datetime(2026, 12, 31).date())
    assert cast.log().contract == contract


def test_an_ambiguous_contract_is_left_for_the_agent(cast):
    for number in ("HX-A", "HX-B"):
        Contract.objects.create(customer=cast.customer, number=number, title=number,
                                starts_on=datetime(2026, 1, 1).date(),
                                ends_on=datetime(2026, 12, 31).date())
    assert cast.log().contract is None


BAD_INPUT = [
    ({"title": "  "}, {"title"}),
    ({"title": "长" * 201}, {"title"}),
    ({"kind": "outage"}, {"kind"}),
    ({"channel": "pigeon"}, {"channel"}),
    ({"impact": "huge", "urgency": "now"}, {"impact", "urgency"}),
    ({"occurred_at": datetime(2026, 11, 23, 3, tzinfo=UTC)}, {"occurred_at"}),
    ({"occurred_at": datetime(2026, 11, 23, 9)}, {"occurred_at"}),
    ({"description": 42}, {"description"}),
    ({"title": "", "kind": "x", "channel": "y"}, {"title", "kind", "channel"}),
]


@pytest.mark.parametrize(("overrides", "fields"), BAD_INPUT)
def test_bad_input_names_every_bad_field_and_writes_nothing(cast, overrides, fields):
    cast.log()
    before = snapshot()
    with pytest.raises(Invalid) as raised:
        cast.log(**overrides)
    assert set(raised.value.fields) == fields
    assert snapshot() == before
    assert cast.log().number == "INC-20261123-0002", "a refused create leaves no gap"


def test_an_occurrence_in_the_past_is_kept(cast):
    earlier = datetime(2026, 11, 22, 23, tzinfo=UTC)
    assert cast.log(occurred_at=earlier).occurred_at == earlier


def test_a_repeated_idempotency_key_returns_the_first_incident(cast):
    request = {"title": "网银系统登录缓慢"}
    digest = idempotency.request_digest(request)
    first = cast.log(idempotency_key="k-1", idempotency_digest=digest)
    again = cast.log(idempotency_key="k-1", idempotency_digest=digest)
    assert again.pk == first.pk
    assert Incident.objects.count() == 1
    assert len(events(first)) == 1


def test_an_idempotency_key_reused_for_another_request_is_refused(cast):
    cast.log(idempotency_key="k-1", idempotency_digest=idempotency.request_digest({"a": 1}))
    before = snapshot()
    with pytest.raises(Invalid) as raised:
        cast.log(idempotency_key="k-1", idempotency_digest=idempotency.request_digest({"a": 2}))
    assert set(raised.value.fields) == {"Idempotency-Key"}
    assert snapshot() == before


def test_idempotency_keys_belong_to_one_user(cast):
    digest = idempotency.request_digest({"a": 1})
    mine = cast.log(idempotency_key="k-1", idempotency_digest=digest)
    theirs = cast.log(actor=cast.engineer_chen, idempotency_key="k-1", idempotency_digest=digest)
    assert mine.pk != theirs.pk

