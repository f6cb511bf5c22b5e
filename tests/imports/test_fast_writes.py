"""What the import's fast paths must not change: rows written by bulk.insert
read back as the ORM writes them, ids are never reused, the audit chain of
imported incidents verifies, batches number incidents as one run would, and
the quick date reading agrees with strptime."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction

from opsdesk.core.models import TimelineEvent
from opsdesk.imports import actions, bulk
from opsdesk.imports.reading import parse_time
from opsdesk.incidents.choices import Channel, Kind, Status
from opsdesk.incidents.models import Incident

from .conftest import EVENTS, LATER_EVENTS, export, run, written

pytestmark = pytest.mark.usefixtures("english")
SHANGHAI = ZoneInfo("Asia/Shanghai")
COMPARED = [field.attname for field in Incident._meta.concrete_fields
            if field.attname not in ("id", "number")]


def incident_values(cast, number: str) -> dict:
    return {
        "number": number, "kind": Kind.SERVICE_REQUEST, "status": Status.RESOLVED,
        "channel": Channel.EMAIL,
        "title": "磁盘已满 “quoted”\ttab\\backslash", "description": "第一行\n第二行",
        "impact": "high", "urgency": "medium", "priority": 2, "matrix_priority": 2,
        "team_id": cast.l2.pk, "assignee_id": cast.engineer_chen.pk,
        "registered_at": datetime(2026, 11, 2, 9, 5, tzinfo=SHANGHAI),
        "occurred_at": datetime(2026, 11, 2, 1, 0, tzinfo=UTC),
        "updated_at": datetime(2026, 11, 3, 12, 30, 15, 123456, tzinfo=SHANGHAI),
        "resolved_at": datetime(2026, 11, 3, 12, 30, tzinfo=SHANGHAI),
        "sla_snapshot": {"policy": "金牌", "hours": [1.5, 4], "paused": None},
        "is_vip": True, "resolve_breached": True, "reassignment_count": 3,
    }


def test_bulk_insert_writes_what_the_orm_writes(cast):
    with transaction.atomic():
        by_orm = Incident(**incident_values(cast, "INC-20261102-0001"))
        Incident.objects.bulk_create([by_orm])
        fast = bulk.new(Incident, incident_values(cast, "INC-20261102-0002"))
        bulk.insert([fast])
    assert fast.pk and not fast._state.adding
    stored = {incident.number: incident for incident in Incident.objects.all()}
    orm, ours = stored["INC-20261102-0001"], stored["INC-20261102-0002"]
    assert ours.pk == fast.pk
    assert {name: getattr(ours, name) for name in COMPARED} == {
        name: getattr(orm, name) for name in COMPARED}
    assert ours.title == "磁盘已满 “quoted”\ttab\\backslash"
    assert ours.updated_at == datetime(2026, 11, 3, 4, 30, 15, 123456, tzinfo=UTC)
    assert ours.sla_snapshot == {"policy": "金牌", "hours": [1.5, 4], "paused": None}


def test_bulk_insert_never_reuses_an_id(cast):
    with transaction.atomic():
        first = [bulk.new(Incident, incident_values(cast, f"INC-20261102-{n:04d}"))
                 for n in (1, 2, 3)]
        bulk.insert(first)
    assert [incident.pk for incident in first] == sorted({incident.pk for incident in first})
    newest = first[-1].pk
    Incident.objects.filter(pk=newest).delete()
    with transaction.atomic():
        later = bulk.new(Incident, incident_values(cast, "INC-20261102-0004"))
        bulk.insert([later])
    by_orm = Incident.objects.create(**incident_values(cast, "INC-20261102-0005"))
    assert newest < later.pk < by_orm.pk
    assert Incident.objects.count() == 4


def test_imported_timelines_verify(cast, servicenow_file, tmp_path, capsys):
    run(capsys, "import", "servicenow", str(servicenow_file))
    later = tmp_path / "later.csv"
    later.write_text(export(EVENTS + LATER_EVENTS), encoding="utf-8")
    run(capsys, "import", "servicenow", str(later))
    assert written() == (3, 14, 3)
    code, out, err = run(capsys, "audit", "verify")
    assert code == 0, err
    assert out.strip() == f"OK: 3 records, {TimelineEvent.objects.count()} events"
    assert TimelineEvent.objects.filter(subject_type="incident").count() == 14


def test_an_altered_imported_event_breaks_the_chain(cast, servicenow_file, capsys):
    run(capsys, "import", "servicenow", str(servicenow_file))
    event = TimelineEvent.objects.filter(kind="imported").order_by("id")[2]
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TimelineEvent._meta.db_table} SET note = %s WHERE id = %s",
                       ["changed afterwards", event.pk])
    code, _out, err = run(capsys, "audit", "verify")
    assert code == 1
    assert "BROKEN: 1 break" in err


def test_many_small_batches_import_as_one(cast, servicenow_file, monkeypatch, capsys):
    monkeypatch.setattr(actions, "BATCH_EVENTS", 2)
    code, out, err = run(capsys, "import", "servicenow", str(servicenow_file))
    assert code == 0, err
    assert "3 incidents new, 0 updated, 0 unchanged; 13 timeline events written" in out
    assert sorted(Incident.objects.values_list("number", flat=True)) == [
        "INC-20261102-0001", "INC-20261103-0001", "INC-20261104-0001"]
    assert run(capsys, "audit", "verify")[0] == 0


@pytest.mark.parametrize("text, formats", [
    ("2/11/2026 9:05", ["%d/%m/%Y %H:%M"]),
    ("02/11/2026 09:05:30", ["%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S"]),
    ("2/11/2026   09:05", ["%d/%m/%Y %H:%M"]),
    ("2/11/2026 09:05 ", ["%d/%m/%Y %H:%M"]),
    ("29/02/2024 10:00", ["%d/%m/%Y %H:%M"]),
    ("29/02/2026 10:00", ["%d/%m/%Y %H:%M"]),
    ("2/11/2026 24:00", ["%d/%m/%Y %H:%M"]),
    ("2026年11月2日 9时5分", ["%Y年%m月%d日 %H时%M分"]),
    ("20261102090500", ["%Y%m%d%H%M%S"]),
    ("2026-11-02T09:05:00+08:00", ["%d/%m/%Y %H:%M"]),
    ("29/02 10:00", ["%d/%m %H:%M"]),
    ("Nov 2 2026", ["%b %d %Y"]),
])
def test_dates_read_as_strptime_reads_them(text, formats):
    expected = None
    for fmt in formats:
        try:
            expected = datetime.strptime(text, fmt).replace(tzinfo=SHANGHAI)
            break
        except ValueError:
            continue
    else:
        try:
            expected = datetime.fromisoformat(text)
        except ValueError:
            expected = None
    assert parse_time(text, formats, SHANGHAI) == expected
