"""Every way an event reaches the timeline chains it to its record's
previous event: the actions (one INSERT each), record_many batches (the SLA
sweep's escalations), alert intake, and the migration for rows written
before the chain existed."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opsdesk.alerts.models import AlertSource
from opsdesk.core import chain, timeline
from opsdesk.core.models import TimelineEvent
from opsdesk.sla.sweep import SlaSweep

from .conftest import chain_of, sql, worked
from .test_verify import verified


def assert_chained(subject) -> list[TimelineEvent]:
    events = chain_of(subject)
    assert [event.seq for event in events] == list(range(1, len(events) + 1))
    previous = chain.GENESIS
    for event in events:
        assert event.hash == chain.digest(event, previous)
        previous = event.hash
    return events


def test_each_action_appends_the_next_link(incident):
    events = assert_chained(incident)
    assert [event.kind for event in events] == ["logged", "assigned", "accepted", "comment"]
    assert len({event.hash for event in events}) == 4


def test_the_event_returned_by_record_is_the_stored_one(incident, cast):
    event = timeline.record(incident, actor=cast.lead_wang, source="web", kind="intervened",
                            note="请尽快处理", changes={"ratio": [0.5, 2.0]})
    stored = TimelineEvent.objects.get(pk=event.pk)
    assert (event.seq, event.hash) == (stored.seq, stored.hash) == (5, chain_of(incident)[-1].hash)
    assert_chained(incident)
    with pytest.raises(ValueError):
        event.save()


def test_record_costs_one_statement(incident, cast):
    with CaptureQueriesContext(connection) as captured:
        timeline.record(incident, actor=cast.lead_wang, source="web", kind="intervened")
    assert len(captured) == 1


def test_record_many_chains_a_batch_after_each_records_history(cast, frozen):
    first, second = worked(cast, frozen), worked(cast, frozen, title="邮件系统无法登录")
    batch = [timeline.entry(subject, actor=None, source="import", kind="updated",
                            changes={"n": [n, n + 1]}) for n in range(3)
             for subject in (first, second)]
    with CaptureQueriesContext(connection) as captured:
        assert timeline.record_many(batch) is batch
    # heads, savepoint, the rows, release; on PostgreSQL the rows are two
    # statements (their keys from the sequence, then COPY), whatever their number.
    assert len(captured) == (5 if connection.vendor == "postgresql" else 4)
    for subject in (first, second):
        events = assert_chained(subject)
        assert [event.seq for event in events][-3:] == [5, 6, 7]
        assert [event.changes["n"] for event in events[4:]] == [[0, 1], [1, 2], [2, 3]]
    assert all(event.pk and event.seq and event.hash for event in batch)


def test_historical_times_and_new_records_chain_from_the_start(cast, frozen):
    incident = cast.log()
    ci_events = [timeline.entry(cast.ci, actor=cast.agent_li, source="import", kind="updated",
                                note=f"第{n}次变更") for n in range(5)]
    for n, event in enumerate(ci_events):
        event.at -= timedelta(days=30 - n)
    timeline.record_many(ci_events)
    assert [event.seq for event in assert_chained(cast.ci)] == [1, 2, 3, 4, 5]
    assert_chained(incident)


def test_the_sla_sweep_chains_its_escalations(cast, frozen):
    incidents = [cast.log(title=f"批量事件 {n}") for n in range(3)]
    frozen.shift(timedelta(minutes=15))
    assert SlaSweep().handle_one()
    for incident in incidents:
        assert "escalated" in [event.kind for event in assert_chained(incident)]
    assert verified().ok


def test_alert_intake_chains_the_incidents_it_opens(cast, frozen, client):
    from opsdesk.alerts import actions as alert_actions

    source, token = alert_actions.create_source(name="prometheus", kind="alertmanager",
                                                team=cast.l2, category=cast.category)
    payload = {"version": "4", "status": "firing", "receiver": "opsdesk", "groupKey": "g",
               "alerts": [{"status": "firing",
                           "labels": {"alertname": "NodeDown", "instance": "vm-web-01:9100",
                                      "severity": "critical"},
                           "annotations": {"summary": "NodeDown on vm-web-01"},
                           "startsAt": "2026-11-23T01:50:00Z",
                           "endsAt": "0001-01-01T00:00:00Z", "fingerprint": "f1"}]}
    for status in ("firing", "resolved"):
        payload["alerts"][0]["status"] = payload["status"] = status
        if status == "resolved":
            payload["alerts"][0]["endsAt"] = "2026-11-23T02:05:00Z"
            frozen.shift(timedelta(minutes=10))
        response = client.post(f"/api/v1/alerts/{source.name}", payload,
                               content_type="application/json",
                               HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code == 200, response.content
    incident = source.alerts.get().incident
    events = assert_chained(incident)
    assert len(events) >= 2
    assert verified().ok
    assert AlertSource.objects.count() == 1


def test_the_migration_chains_events_written_before_the_chain(cast, frozen, monkeypatch):
    from importlib import import_module

    migration = import_module("opsdesk.core.migrations.0006_timeline_chain")
    first, second = worked(cast, frozen), worked(cast, frozen, title="邮件系统无法登录")
    timeline.record(cast.ci, actor=None, source="cli", kind="created")
    # As the rows were: no chain (distinct numbers keep the unique index happy).
    sql("UPDATE {table} SET seq = id + 1000, hash = ''")
    monkeypatch.setattr(migration, "BATCH", 3)  # batch edges fall inside records
    migration.chain_existing_events(apps, None)
    for subject in (first, second, cast.ci):
        assert_chained(subject)
    assert verified().ok
