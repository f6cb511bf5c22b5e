"""Editing record fields and commenting: each leaves exactly one event."""

from datetime import UTC, datetime

import pytest

from opsdesk.core import timeline
from opsdesk.core.errors import Invalid, TransitionNotAllowed
from opsdesk.incidents import actions

from .helpers import act, events, fresh, snapshot


def test_an_edit_records_old_and_new_values(cast):
    incident = cast.log()
    incident = act(actions.update_incident, incident, cast.engineer_chen,
                   changes={"title": "网银登录超时", "symptoms": "登录页面转圈"})
    stored = fresh(incident)
    assert (stored.title, stored.symptoms, stored.version) == ("网银登录超时", "登录页面转圈", 2)
    assert events(incident)[-1] == ("updated", "engineer_chen", "web", {
        "title": ["网银系统登录缓慢", "网银登录超时"], "symptoms": ["", "登录页面转圈"]})


def test_changing_the_customer_follows_its_vip_class(cast):
    incident = act(actions.update_incident, cast.log(), cast.agent_li,
                   changes={"customer": cast.other_customer})
    assert fresh(incident).is_vip is False
    assert events(incident)[-1][3] == {"customer": ["华信证券", "明达物流"],
                                       "is_vip": [True, False]}


def test_a_change_that_changes_nothing_writes_nothing(cast):
    incident = cast.log()
    before = snapshot()
    act(actions.update_incident, incident, cast.agent_li,
        changes={"title": "网银系统登录缓慢", "impact": "medium"})
    assert snapshot() == before


def test_occurrence_times_are_stored_as_iso_text_in_the_timeline(cast):
    earlier = datetime(2026, 11, 23, 1, tzinfo=UTC)
    incident = act(actions.update_incident, cast.log(), cast.agent_li,
                   changes={"occurred_at": earlier})
    assert events(incident)[-1][3] == {
        "occurred_at": ["2026-11-23T02:00:00+00:00", "2026-11-23T01:00:00+00:00"]}


@pytest.mark.parametrize(("changes", "fields"), [
    ({"number": "INC-1"}, {"number"}),
    ({"status": "closed", "version": 9}, {"status", "version"}),
    ({"title": ""}, {"title"}),
    ({"kind": "outage"}, {"kind"}),
    ({"impact": "huge"}, {"impact"}),
    ({"occurred_at": datetime(2026, 11, 24, tzinfo=UTC)}, {"occurred_at"}),
    ({"reporter_phone": "1" * 41, "urgency": "soon"}, {"reporter_phone", "urgency"}),
])
def test_bad_edits_name_the_fields_and_write_nothing(cast, changes, fields):
    incident = cast.log()
    before = snapshot()
    with pytest.raises(Invalid) as raised:
        act(actions.update_incident, incident, cast.agent_li, changes=changes)
    assert set(raised.value.fields) == fields
    assert snapshot() == before


def test_a_resolved_incident_is_no_longer_edited(desk, cast):
    with pytest.raises(TransitionNotAllowed):
        act(actions.update_incident, desk.resolved(), cast.lead_wang, changes={"title": "x"})


def test_an_internal_comment_is_hidden_from_the_requester(cast):
    incident = actions.comment(cast.log(), actor=cast.engineer_chen, source="web",
                               body="怀疑是数据库锁", public=False)
    event = list(timeline.events_of(incident))[-1]
    assert (event.kind, event.note, event.public) == ("comment", "怀疑是数据库锁", False)
    assert list(timeline.events_of(incident, public_only=True))[-1].kind == "logged"


def test_a_requesters_comment_is_always_public(cast):
    incident = actions.comment(cast.log(), actor=cast.requester_zhao, source="portal",
                               body="还是很慢", public=False)
    event = list(timeline.events_of(incident))[-1]
    assert (event.actor, event.source, event.public) == (cast.requester_zhao, "portal", True)


def test_a_comment_does_not_change_the_version(cast):
    incident = cast.log()
    actions.comment(incident, actor=cast.agent_li, source="web", body="已回电", public=True)
    assert fresh(incident).version == incident.version


@pytest.mark.parametrize("body", ["", "   ", None, "字" * 20001])
def test_an_empty_or_huge_comment_is_refused(cast, body):
    incident = cast.log()
    before = snapshot()
    with pytest.raises(Invalid) as raised:
        actions.comment(incident, actor=cast.agent_li, source="web", body=body, public=True)
    assert set(raised.value.fields) == {"body"}
    assert snapshot() == before


def test_the_requester_may_comment_on_a_resolved_ticket(desk, cast):
    incident = actions.comment(desk.resolved(), actor=cast.requester_zhao, source="portal",
                               body="好像又慢了", public=True)
    assert list(timeline.events_of(incident))[-1].kind == "comment"

