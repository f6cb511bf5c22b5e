"""The statements of the alert intake's hot path, written out in SQL that
PostgreSQL and SQLite both run. A delivery of ten alerts must cost a few
statements, not a few ORM query compilations and model instances each
(issue 4: >= 2,000 alerts/s, bench/alerts.py); the rare paths (opening an
incident, a storm, closing one) stay on the ORM and the incident actions."""

import functools
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection
from django.utils import timezone

from opsdesk.core.models import ConfigurationItem
from opsdesk.incidents.choices import UNRESOLVED_STATUSES
from opsdesk.incidents.models import Incident

from .choices import AlertStatus
from .models import Alert, AlertIncident, AlertSource, Delivery, MaintenanceWindow, MappingRule

# What the webhook reads of its source; the rest loads on first use.
SOURCE_FIELDS = ("id", "name", "kind", "digest", "active", "service_user_id",
                 "default_team_id", "default_category_id", "default_customer_id",
                 "default_impact", "default_urgency", "storm_window_seconds",
                 "storm_threshold", "flap_window_seconds")
ALERT_COLUMNS = ("source_id", "fingerprint", "current", "name", "summary", "host", "severity",
                 "scope", "status", "labels", "annotations", "url", "starts_at", "ends_at",
                 "first_seen_at", "last_seen_at", "occurrences", "flaps", "incident_id",
                 "suppressed_by_id")


@dataclass(frozen=True)
class CiRef:
    id: int
    name: str
    service_id: int | None
    customer_id: int | None


@dataclass(frozen=True)
class Rule:
    label: str
    value: str
    is_regex: bool
    ci: CiRef | None
    service_id: int | None
    category_id: int | None
    team_id: int | None
    impact: str
    urgency: str


@dataclass(frozen=True)
class Window:
    id: int
    ci_id: int | None
    service_id: int | None


@dataclass(frozen=True)
class Current:
    """A fingerprint's current alert row and the state of its incident."""

    id: int
    status: str
    starts_at: datetime
    suppressed_by_id: int | None
    incident_id: int | None
    incident_status: str | None
    incident_closed_at: datetime | None


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _marks(values) -> str:
    return ", ".join(["%s"] * len(values))


def _rows(sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _execute(sql: str, params) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _moment(value):
    """A timestamp as read back: SQLite gives naive UTC, PostgreSQL aware."""
    if value is not None and timezone.is_naive(value):
        return value.replace(tzinfo=UTC)
    return value


def _prepared(model, name: str, value):
    return model._meta.get_field(name).get_db_prep_save(value, connection)


def source_named(name: str) -> AlertSource | None:
    # from_db takes the values in the model's field order.
    names = [f.attname for f in AlertSource._meta.concrete_fields if f.attname in SOURCE_FIELDS]
    rows = _rows(f"SELECT {', '.join(names)} FROM {_table(AlertSource)} WHERE name = %s",
                 [name])
    return AlertSource.from_db(connection.alias, names, rows[0]) if rows else None


def claim_delivery(source_id: int, digest: str, received_at, count: int) -> int | None:
    """One statement, no savepoint: a concurrent identical delivery waits on
    the unique index until this transaction ends, then finds it taken."""
    rows = _rows(
        f"INSERT INTO {_table(Delivery)} (source_id, digest, received_at, alert_count, outcome) "
        "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (source_id, digest) DO NOTHING RETURNING id",
        [source_id, digest, _prepared(Delivery, "received_at", received_at), count,
         _prepared(Delivery, "outcome", {})],
    )
    return rows[0][0] if rows else None


def record_outcome(delivery_id: int, outcome: dict) -> None:
    _execute(f"UPDATE {_table(Delivery)} SET outcome = %s WHERE id = %s",
             [_prepared(Delivery, "outcome", outcome), delivery_id])


def rules_of(source_id: int) -> list[Rule]:
    rows = _rows(
        "SELECT r.label, r.value, r.is_regex, r.ci_id, c.name, c.service_id, c.customer_id, "
        "r.service_id, r.category_id, r.team_id, r.impact, r.urgency "
        f"FROM {_table(MappingRule)} r LEFT JOIN {_table(ConfigurationItem)} c "
        "ON c.id = r.ci_id WHERE r.source_id = %s ORDER BY r.\"order\", r.id", [source_id])
    return [Rule(label=row[0], value=row[1], is_regex=bool(row[2]),
                 ci=CiRef(*row[3:7]) if row[3] else None, service_id=row[7],
                 category_id=row[8], team_id=row[9], impact=row[10], urgency=row[11])
            for row in rows]


def cis_named(names) -> dict[str, CiRef]:
    if not names:
        return {}
    names = list(names)
    rows = _rows(f"SELECT id, name, service_id, customer_id FROM {_table(ConfigurationItem)} "
                 f"WHERE name IN ({_marks(names)})", names)
    return {row[1]: CiRef(*row) for row in rows}


def windows_open_at(now) -> list[Window]:
    moment = _prepared(MaintenanceWindow, "starts_at", now)
    return [Window(*row) for row in _rows(
        f"SELECT id, ci_id, service_id FROM {_table(MaintenanceWindow)} "
        "WHERE starts_at <= %s AND ends_at > %s ORDER BY starts_at DESC, id",
        [moment, moment])]


def current_alerts(source_id: int, fingerprints: list[str]) -> dict[str, Current]:
    rows = _rows(
        "SELECT a.fingerprint, a.id, a.status, a.starts_at, a.suppressed_by_id, a.incident_id, "
        f"i.status, i.closed_at FROM {_table(Alert)} a LEFT JOIN {_table(Incident)} i "
        f"ON i.id = a.incident_id WHERE a.source_id = %s AND a.\"current\" "
        f"AND a.fingerprint IN ({_marks(fingerprints)})", [source_id, *fingerprints])
    return {fingerprint: Current(pk, status, _moment(starts_at), window_id, incident_id,
                                 incident_status, _moment(closed_at))
            for fingerprint, pk, status, starts_at, window_id, incident_id, incident_status,
            closed_at in rows}


def open_storms(source_id: int, scopes: list[str]) -> dict[str, int]:
    """The unresolved storm incident of each scope that has one."""
    rows = _rows(
        f"SELECT g.scope, g.incident_id FROM {_table(AlertIncident)} g "
        f"JOIN {_table(Incident)} i ON i.id = g.incident_id "
        f"WHERE g.source_id = %s AND g.storm AND g.scope IN ({_marks(scopes)}) "
        f"AND i.status IN ({_marks(UNRESOLVED_STATUSES)}) ORDER BY g.id",
        [source_id, *scopes, *UNRESOLVED_STATUSES])
    # Should a scope ever have two, the newest (read last) wins.
    return dict(rows)


def recent_incident_alerts(source_id: int, scopes: list[str], since) -> dict[str, int]:
    """Per scope, its alerts first seen since `since` that raised incidents."""
    rows = _rows(
        f"SELECT scope, COUNT(*) FROM {_table(Alert)} WHERE source_id = %s "
        f"AND scope IN ({_marks(scopes)}) AND first_seen_at >= %s "
        "AND incident_id IS NOT NULL GROUP BY scope",
        [source_id, *scopes, _prepared(Alert, "first_seen_at", since)])
    return dict(rows)


def insert_alerts(rows: list[dict]) -> None:
    """New alert rows, given as {column: value} (missing columns: defaults),
    sent as one JSON parameter: a multi-row VALUES list would be ~200
    parameters, each adapted and quoted on its own."""
    if not rows:
        return
    defaults = {"current": True, "occurrences": 1, "flaps": 0, "ends_at": None,
                "incident_id": None, "suppressed_by_id": None}
    data = json.dumps([{column: _json_value(row.get(column, defaults.get(column)))
                        for column in ALERT_COLUMNS} for row in rows], ensure_ascii=False)
    _execute(_insert_alerts_sql(connection.vendor), [data])


@functools.cache
def _insert_alerts_sql(vendor: str) -> str:
    columns = ", ".join(map(_quoted, ALERT_COLUMNS))
    if vendor == "postgresql":
        record = ", ".join(f"{_quoted(column)} {Alert._meta.get_field(column).db_type(connection)}"
                           for column in ALERT_COLUMNS)
        rows = f"jsonb_to_recordset(%s::jsonb) AS r({record})"
    else:
        values = ", ".join(f"json_extract(value, '$.{column}')" for column in ALERT_COLUMNS)
        rows = f"(SELECT {values} FROM json_each(%s))"
    return f"INSERT INTO {_table(Alert)} ({columns}) SELECT * FROM {rows}"


def _json_value(value):
    """A column value inside the JSON of insert_alerts: timestamps as the
    database reads them back (SQLite keeps Django's UTC text)."""
    if isinstance(value, datetime):
        value = connection.ops.adapt_datetimefield_value(value)
        return value.isoformat() if isinstance(value, datetime) else value
    return value


def _quoted(column: str) -> str:
    return connection.ops.quote_name(column)


def update_alerts(pks, *, increment: tuple[str, ...] = (), **values) -> None:
    """One UPDATE of the rows `pks`: `increment` columns + 1, the others set."""
    if not pks:
        return
    pks = list(pks)
    assignments = [f"{_quoted(name)} = {_quoted(name)} + 1" for name in increment]
    assignments += [f"{_quoted(name)} = %s" for name in values]
    params = [_prepared(Alert, name, value) for name, value in values.items()]
    _execute(f"UPDATE {_table(Alert)} SET {', '.join(assignments)} "
             f"WHERE id IN ({_marks(pks)})", [*params, *pks])


def incidents_all_clear(incident_ids) -> list[int]:
    """Of these incidents, the unresolved ones none of whose alerts still
    fires, locked (in id order, as everyone locks them) before looking, so
    that a delivery clearing the last alerts at the same time is seen."""
    ids = sorted(incident_ids)
    if not ids:
        return []
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    locked = [pk for (pk,) in _rows(
        f"SELECT id FROM {_table(Incident)} WHERE id IN ({_marks(ids)}) "
        f"AND status IN ({_marks(UNRESOLVED_STATUSES)}) ORDER BY id{lock}",
        [*ids, *UNRESOLVED_STATUSES])]
    if not locked:
        return []
    firing = {pk for (pk,) in _rows(
        f"SELECT DISTINCT incident_id FROM {_table(Alert)} "
        f"WHERE incident_id IN ({_marks(locked)}) AND status = %s",
        [*locked, AlertStatus.FIRING])}
    return [pk for pk in locked if pk not in firing]
