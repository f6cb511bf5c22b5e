"""Bulk generator for the queue benchmark: N incidents in one
INSERT … SELECT over a number series, on PostgreSQL and SQLite alike.

The rows follow a real service desk's shape: about 1,000 tickets a day over
the last N/1,000 days, numbered INC-YYYYMMDD-NNNN by local date with the
Counter rows set to match (so the next real create does not collide); ~95%
closed, the open ones mostly recent (45% of the newest tenth) plus a few
stale ones, or with `all_open` every one new, assigned, in progress or
pending (the SLA benchmark's million open tickets); open statuses,
impact/urgency (priority from the configured matrix), teams, assignees who
belong to their team, customers, CIs of that customer and channels spread
by deterministic hashes of the row number.
Timeline events are not generated: the queues do not read them.

SLA clocks follow the seeded policy for the priority and customer class,
measured in wall-clock time (the business calendars are not applied): the
deadlines, responses and breaches of every row, and the policy snapshot of
every row not closed (closed ones keep an empty one: nothing reads it, and
it would add ~650 bytes a row). Unresolved, unpaused tickets have their next
escalation step somewhere in the 30 days after the day after the load, so
no generated ticket falls due while a benchmark runs; a benchmark makes the
tickets it wants due itself.
"""

import json
import math
import time
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from bench import organisation

# Multipliers for h1..h9, each a different "random" permutation of 1..N.
MULTIPLIERS = (0, 48271, 69621, 16807, 40692, 40014, 39373, 45991, 53668, 12211)
PRIME = 1000003
CHANNELS_BY_TWENTIETH = (["phone"] * 8 + ["email"] * 4 + ["portal"] * 3 + ["monitoring"] * 3
                         + ["web", "chat"])
TITLES = (
    "网银系统登录缓慢", "核心数据库连接数告警", "邮件服务器无法发送外部邮件", "VPN 无法连接",
    "虚拟机磁盘空间不足", "打印机卡纸无法打印", "财务系统报表导出失败", "办公网络丢包严重",
    "OA 系统审批流程卡住", "存储阵列硬盘故障告警", "申请新增虚拟机两台", "资源续租申请",
)


def _case(expression: str, values) -> str:
    """CASE expression WHEN 0 THEN values[0] … as SQL with quoted literals."""
    arms = " ".join(f"WHEN {i} THEN {_literal(v)}" for i, v in enumerate(values))
    return f"CASE {expression} {arms} END"


def _literal(value) -> str:
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return str(value)


def _series(n: int) -> str:
    if connection.vendor == "postgresql":
        return f"(SELECT generate_series(1::bigint, {n}) AS g)"
    return (f"(WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < {n}) "
            "SELECT g FROM s)")


def _timestamp(epoch_expression: str) -> str:
    if connection.vendor == "postgresql":
        return f"to_timestamp({epoch_expression})"
    return f"datetime({epoch_expression}, 'unixepoch')"


def _days(n: int, per_day: int) -> list[tuple[int, str, int]]:
    """(index, YYYYMMDD, local midnight as epoch) for each day, ending three days ago."""
    zone = timezone.get_default_timezone()
    count = math.ceil(n / per_day)
    last = timezone.localdate() - timedelta(days=3)
    days = []
    for index in range(count):
        day = last - timedelta(days=count - 1 - index)
        midnight = datetime(day.year, day.month, day.day, tzinfo=zone)
        days.append((index, f"{day:%Y%m%d}", int(midnight.timestamp())))
    return days


def _policies() -> list[tuple[int, int, str, int, int, int]]:
    """(priority, vip, snapshot JSON, response s, resolution s, near-breach %)
    for each priority and customer class, from the configured policies."""
    from opsdesk.incidents.clocks import snapshot_for
    from opsdesk.incidents.models import Incident

    rows = []
    for priority in range(1, 5):
        for vip in (0, 1):
            snapshot = snapshot_for(Incident(priority=priority, is_vip=bool(vip)))
            if not snapshot:
                raise SystemExit(f"no SLA policy matches priority {priority}")
            rows.append((priority, vip, json.dumps(snapshot, ensure_ascii=False),
                         60 * snapshot["response_minutes"], 60 * snapshot["resolution_minutes"],
                         snapshot["near_breach_percent"]))
    return rows


def _json(expression: str) -> str:
    return f"CAST({expression} AS jsonb)" if connection.vendor == "postgresql" else expression


def _sla_columns(*, accepted: str, done: str, later_epoch: int) -> dict[str, str]:
    """The clock columns, from the policy joined as `bp` (see _policies)."""
    ts = _timestamp
    paused = "(m.status = 'pending' AND m.p % 3 <> 0)"  # waiting on the requester
    near = "* bp.near_percent / 100"
    return {
        "sla_snapshot": _json("CASE WHEN m.status <> 'closed' THEN bp.snapshot ELSE '{}' END"),
        "response_due_at": ts("m.registered + bp.response_seconds"),
        "response_near_at": ts(f"m.registered + bp.response_seconds {near}"),
        "responded_at": f"CASE WHEN {accepted} THEN {ts('m.registered + 900')} END",
        "response_breached": f"NOT ({accepted}) OR bp.response_seconds < 900",
        "resolve_due_at": f"CASE WHEN NOT {paused} THEN "
                          f"{ts('m.registered + bp.resolution_seconds')} END",
        "resolve_near_at": f"CASE WHEN NOT {paused} THEN "
                           f"{ts(f'm.registered + bp.resolution_seconds {near}')} END",
        "resolve_breached": f"CASE WHEN {done} THEN m.resolve_after > bp.resolution_seconds "
                            f"ELSE NOT {paused} END",
        "sla_paused_seconds": "0",
        "next_escalation_at": f"CASE WHEN NOT ({done}) AND NOT {paused} THEN "
                              f"{ts(f'{later_epoch} + m.h6 % {30 * 86400}')} END",
        "major_incident_offered": "pc.priority = 1",
    }


def _rows_sql(n: int, per_day: int, org: organisation.Organisation, *, all_open: bool) -> str:
    spacing = 86400 // per_day
    recent_from = n - n // 10
    # All open: every row takes one of the four open statuses (not resolved).
    is_open = "1 = 1" if all_open else (f"(r.g > {recent_from} AND r.h1 % 100 < 45) "
                                        f"OR (r.g <= {recent_from} AND r.h1 % 1000 < 5)")
    status_pick = f"r.h2 % {88 if all_open else 100}"
    hashes = ", ".join(f"(s.g * {MULTIPLIERS[k]} + {k * 7919}) % {PRIME} AS h{k}"
                       for k in range(1, 10))
    base = (f"SELECT s.g, d.day_key, (s.g - 1) % {per_day} + 1 AS seq, "
            f"d.start_epoch + ((s.g - 1) % {per_day}) * {spacing} AS registered, {hashes} "
            f"FROM {_series(n)} s JOIN bench_day d ON d.idx = (s.g - 1) / {per_day}")
    shaped = f"""SELECT r.*,
        CASE WHEN {is_open}
             THEN CASE WHEN {status_pick} < 15 THEN 'new' WHEN {status_pick} < 40 THEN 'assigned'
                       WHEN {status_pick} < 75 THEN 'in_progress'
                       WHEN {status_pick} < 88 THEN 'pending' ELSE 'resolved' END
             ELSE 'closed' END AS status,
        CASE WHEN r.h3 % 10 < 2 THEN 'high' WHEN r.h3 % 10 < 6 THEN 'medium' ELSE 'low' END
            AS impact,
        CASE WHEN r.h4 % 10 < 1 THEN 'critical' WHEN r.h4 % 10 < 3 THEN 'high'
             WHEN r.h4 % 10 < 7 THEN 'medium' ELSE 'low' END AS urgency,
        {_case("r.h7 % 20", CHANNELS_BY_TWENTIETH)} AS channel,
        CASE WHEN (r.h9 / 16) % 100 < 85 THEN 'successful'
             WHEN (r.h9 / 16) % 100 < 90 THEN 'workaround'
             WHEN (r.h9 / 16) % 100 < 93 THEN 'unsuccessful'
             ELSE 'successful_with_problem' END AS closure_pick,
        r.h5 % {org.customers} AS c, r.h6 % {org.cis_per_customer} AS n,
        r.h8 % {org.teams} AS t, r.h9 % {org.engineers_per_team} AS p,
        1800 + r.h9 % 43200 AS resolve_after, 5400 + r.h9 % 43200 + r.h3 % 86400 AS close_after
        FROM ({base}) r"""
    done = "m.status IN ('resolved', 'closed')"
    accepted = "m.status IN ('in_progress', 'pending', 'resolved', 'closed')"
    no_assignee = "m.status = 'new' OR (m.status = 'assigned' AND m.p % 2 = 0)"
    engineer = f"{org.first_engineer} + m.t * {org.engineers_per_team} + m.p"
    ts = _timestamp
    columns = {
        "number": "'INC-' || m.day_key || '-' || substr(CAST(10000 + m.seq AS TEXT), 2)",
        "version": "CASE m.status WHEN 'closed' THEN 6 WHEN 'resolved' THEN 5 "
                   "WHEN 'new' THEN 1 ELSE 3 END",
        "kind": "CASE m.channel WHEN 'monitoring' THEN 'alert' "
                "WHEN 'portal' THEN 'service_request' ELSE 'fault' END",
        "channel": "m.channel",
        "title": _case(f"m.g % {len(TITLES)}", TITLES),
        "description": "'客户反映该问题影响日常业务，请尽快处理。'",
        "symptoms": "''",
        "requester_id": "NULL",
        "reporter_name": "'联系人' || CAST(m.g % 500 AS TEXT)",
        "reporter_email": "''",
        "reporter_phone": "''",
        "customer_id": f"{org.first_customer} + m.c",
        "contract_id": "NULL",
        "is_vip": "m.c % 10 = 0",
        "occurred_at": ts("m.registered - m.h4 % 1800"),
        "registered_at": ts("m.registered"),
        "created_by_id": f"{org.first_engineer} + m.g % {org.engineers_per_team}",
        "updated_at": ts("m.registered + CASE WHEN m.status = 'closed' THEN m.close_after "
                         "ELSE 600 END"),
        "category_id": f"{org.first_category} + (m.h7 / 20) % {org.categories}",
        "system_type": "''",
        "ci_id": f"{org.first_ci} + m.c * {org.cis_per_customer} + m.n",
        "service_id": f"{org.first_service} + (m.c + m.n) % {org.services}",
        "impact": "m.impact",
        "urgency": "m.urgency",
        "matrix_priority": "pc.priority",
        "priority": "pc.priority",
        "priority_override": "NULL",
        "priority_override_reason": "''",
        "priority_override_by_id": "NULL",
        "priority_override_at": "NULL",
        "status": "m.status",
        "waiting_on": "CASE WHEN m.status = 'pending' THEN "
                      "CASE WHEN m.p % 3 = 0 THEN 'vendor' ELSE 'requester' END ELSE '' END",
        "team_id": f"CASE WHEN m.status = 'new' THEN NULL ELSE {org.first_team} + m.t END",
        "assignee_id": f"CASE WHEN {no_assignee} THEN NULL ELSE {engineer} END",
        "assigned_at": f"CASE WHEN m.status <> 'new' THEN {ts('m.registered + 300')} END",
        "accepted_at": f"CASE WHEN {accepted} THEN {ts('m.registered + 900')} END",
        "first_accepted_at": f"CASE WHEN {accepted} THEN {ts('m.registered + 900')} END",
        "reassignment_count": "CASE WHEN m.status = 'new' THEN 0 ELSE m.h3 % 3 END",
        "transferred_to_vendor_at": "NULL",
        "solution": f"CASE WHEN {done} THEN '已按操作手册处理，业务恢复正常。' ELSE '' END",
        "closure_code": f"CASE WHEN {done} THEN m.closure_pick ELSE '' END",
        "business_recovered_at": f"CASE WHEN {done} THEN "
                                 f"{ts('m.registered + m.resolve_after')} END",
        "failure_vendor": "''",
        "resolver_role": f"CASE WHEN {done} THEN {_case('m.t', organisation.TIERS)} ELSE '' END",
        "resolved_by_id": f"CASE WHEN {done} THEN {engineer} END",
        "resolved_team_id": f"CASE WHEN {done} THEN {org.first_team} + m.t END",
        "resolved_at": f"CASE WHEN {done} THEN {ts('m.registered + m.resolve_after')} END",
        "closed_at": f"CASE WHEN m.status = 'closed' THEN "
                     f"{ts('m.registered + m.close_after')} END",
        "needs_problem": f"({done} AND m.closure_pick IN "
                         "('workaround', 'successful_with_problem'))",
        "duplicate_of_id": "NULL",
        "copied_from_id": "NULL",
        "satisfaction_score": "CASE WHEN m.status = 'closed' AND m.h5 % 3 = 0 "
                              "THEN 3 + m.h4 % 3 END",
        "complaint_count": "0",
        **_sla_columns(accepted=accepted, done=done,
                       later_epoch=int(timezone.now().timestamp()) + 86400),
    }
    _check_columns(columns)
    select = ", ".join(columns.values())
    return (f"INSERT INTO incidents_incident ({', '.join(columns)}) SELECT {select} "
            f"FROM ({shaped}) m JOIN sla_prioritycell pc "
            "ON pc.impact = m.impact AND pc.urgency = m.urgency "
            "JOIN bench_policy bp ON bp.priority = pc.priority "
            "AND bp.vip = CASE WHEN m.c % 10 = 0 THEN 1 ELSE 0 END ORDER BY m.g")


def _check_columns(columns: dict) -> None:
    from opsdesk.incidents.models import Incident

    model = {f.column for f in Incident._meta.concrete_fields if not f.primary_key}
    if model != set(columns):
        raise SystemExit(f"the generator is out of date with the Incident model: "
                         f"missing {sorted(model - set(columns))}, "
                         f"unknown {sorted(set(columns) - model)}")


def _check_references(cursor) -> None:
    """Every foreign key of the generated rows points at an existing row."""
    from opsdesk.incidents.models import Incident

    for field in Incident._meta.concrete_fields:
        if not field.is_relation:
            continue
        target = field.related_model._meta.db_table
        cursor.execute(
            f"SELECT count(*) FROM incidents_incident i LEFT JOIN {target} t "
            f"ON t.id = i.{field.column} WHERE i.{field.column} IS NOT NULL AND t.id IS NULL")
        if dangling := cursor.fetchone()[0]:
            raise SystemExit(f"generator bug: {dangling} incidents with a dangling {field.name}")


def _secondary_indexes(cursor) -> list[tuple[str, str]]:
    """(name, CREATE INDEX …) of the incident indexes not backing a constraint."""
    if connection.vendor == "postgresql":
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid "
            "WHERE x.indrelid = 'incidents_incident'::regclass AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)")
    else:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                       "AND tbl_name = 'incidents_incident' AND sql IS NOT NULL")
    return cursor.fetchall()


def load(n: int, org: organisation.Organisation, *, per_day: int = 1000,
         all_open: bool = False) -> float:
    """Insert n incidents (with `all_open`, none resolved or closed) and their
    Counter rows; returns seconds taken.
    Secondary indexes are dropped during the insert and rebuilt after it,
    as a bulk load does; the result is the schema the migrations made."""
    if per_day > 9999:
        raise SystemExit("at most 9,999 incidents a day fit the INC-YYYYMMDD-NNNN number")
    started = time.perf_counter()
    days = _days(n, per_day)
    insert = _rows_sql(n, per_day, org, all_open=all_open)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute("CREATE TABLE bench_day (idx integer PRIMARY KEY, "
                       "day_key varchar(8) NOT NULL, start_epoch bigint NOT NULL)")
        cursor.executemany("INSERT INTO bench_day VALUES (%s, %s, %s)", days)
        cursor.execute("CREATE TABLE bench_policy (priority integer, vip integer, snapshot text, "
                       "response_seconds integer, resolution_seconds integer, "
                       "near_percent integer)")
        cursor.executemany("INSERT INTO bench_policy VALUES (%s, %s, %s, %s, %s, %s)",
                           _policies())
        indexes = _secondary_indexes(cursor)
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
        if connection.vendor == "postgresql":
            # Row-by-row foreign-key triggers would take longer than the load;
            # _check_references verifies the same set-wise afterwards.
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(insert)
        last = len(days) - 1
        cursor.execute(
            "INSERT INTO core_counter (key, value) SELECT 'incident:' || day_key, "
            f"CASE WHEN idx = {last} THEN {n - last * per_day} ELSE {per_day} END FROM bench_day")
        for _name, definition in indexes:
            cursor.execute(definition)
        cursor.execute("DROP TABLE bench_day")
        cursor.execute("DROP TABLE bench_policy")
        _check_references(cursor)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE incidents_incident")
    # Not ANALYZE on SQLite: OpsDesk never runs it, and its statistics count
    # the NULLs of copied_from_id as one value shared by a million rows, after
    # which SQLite scans the table for the list's copy join (16 s a page).
    return time.perf_counter() - started
