"""The rows a batch of escalations writes go in through core.bulk_rows (COPY
on PostgreSQL, bulk_create elsewhere): what is read back is what was built,
a duplicate is an IntegrityError the timeline can retry after, and every
statement is counted."""

import operator

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from opsdesk.core import bulk_rows, clock, timeline
from opsdesk.core.models import Notification, NotificationChannel, TimelineEvent


def notification(incident, recipient, **fields) -> Notification:
    now = clock.now()
    return Notification(**{
        "created_at": now, "next_attempt_at": now, "subject_type": "incident",
        "subject_id": incident.pk, "reference": incident.number, "event": "escalated",
        "recipient": recipient, "address": recipient.email,
        "channel": NotificationChannel.EMAIL, "language": "zh-hans",
        "subject": f"事件已升级：{incident.title}", "body": "原因：响应超时\n\t“引号”\\ 反斜杠\n",
        "link": "https://opsdesk.example.cn/incidents/x/", "message_id": "<a@b>", **fields})


def stored(row) -> dict:
    return {field.attname: getattr(row, field.attname)
            for field in type(row)._meta.concrete_fields}


def test_rows_read_back_as_they_were_built_with_their_keys_in_order(cast):
    incident = cast.log(title="网银登录缓慢")
    rows = [notification(incident, cast.lead_wang), notification(incident, cast.engineer_chen),
            notification(incident, cast.lead_wang, address="", channel="wecom", message_id="")]

    created = bulk_rows.create(rows)

    assert all(map(operator.is_, created, rows)) and len(created) == len(rows)
    keys = [row.pk for row in rows]
    assert None not in keys and keys == sorted(keys)
    for row in rows:
        assert stored(Notification.objects.get(pk=row.pk)) == stored(row)
    assert Notification.objects.get(pk=keys[0]).channel == "email"  # the value, not the name


def test_timeline_events_keep_their_json_changes_and_chain(cast):
    incident = cast.log(title="网银登录缓慢")
    events = [timeline.entry(incident, actor=cast.lead_wang, source="worker", kind="escalated",
                             changes={"escalation": [None, f"step {n}"], "level": [None, "l2"],
                                      "response_breached": [False, True]},
                             note=f"第 {n} 步") for n in range(3)]

    timeline.record_many(events)

    for event in events:
        again = TimelineEvent.objects.get(pk=event.pk)
        assert (again.changes, again.note, again.actor_id, again.seq, again.hash) == (
            event.changes, event.note, cast.lead_wang.pk, event.seq, event.hash)
    assert [e.pk for e in timeline.events_of(incident)][-3:] == [e.pk for e in events]


def test_a_duplicate_key_is_an_integrity_error_and_the_transaction_goes_on(cast):
    incident = cast.log(title="网银登录缓慢")
    head = timeline.events_of(incident).last()
    clash = timeline.entry(incident, actor=None, source="worker", kind="escalated")
    clash.seq, clash.hash = head.seq, "0" * 64  # the record's newest seq is taken

    with pytest.raises(IntegrityError), transaction.atomic():
        bulk_rows.create([clash])

    assert timeline.events_of(incident).count() == head.seq
    timeline.record(incident, actor=None, source="worker", kind="escalated")
    assert timeline.events_of(incident).count() == head.seq + 1


def test_every_statement_is_counted_and_nothing_is_sent_for_no_rows(cast):
    incident = cast.log(title="网银登录缓慢")
    with CaptureQueriesContext(connection) as nothing:
        assert bulk_rows.create([]) == []
    assert nothing.captured_queries == []

    with CaptureQueriesContext(connection) as captured:
        bulk_rows.create([notification(incident, cast.lead_wang) for _ in range(3)])
    statements = [query["sql"].split()[0] for query in captured.captured_queries]
    if connection.vendor == "postgresql":
        assert statements == ["SELECT", "COPY"]  # the keys, then the rows
    else:
        assert statements == ["INSERT"]
