"""KPI engine and dashboard panels at a million incidents (issue 6: the
monthly KPI set ≤ 2 s, each dashboard panel ≤ 300 ms).

    PGPORT=54340 ./scripts/postgres     # a private cluster for the run
    PGPORT=54340 .venv/bin/python -m bench.reports [--incidents 1000000]

Loads N incidents spread over the last 365 days with bench.generator (every
KPI column filled), then set-wise with INSERT … SELECT: three timeline
events per incident (logged, assigned, resolved), one team stint per
assigned incident (on-site ones with an arrival), one inbound call per
incident that came by phone plus 10 % abandoned calls, and 2,000 problems.
It times `kpis.compute` for the last whole month and for the last 365 days
(median of --repeat runs, after one warm-up), grouped by nothing, team and
day; the two KPI panels computed live (no snapshot); the worker's collection
of every KPI snapshot (reports.kpi_snapshots: twelve months for the whole
service and each team); then every dashboard panel of
reports.dashboards.PANELS, next to a same-run baseline: one indexed count of
the month's incidents. Figures are printed, never asserted.
"""

import argparse
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from bench import generator, harness, organisation

DATABASE = "opsdesk_bench_reports"


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--incidents", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per figure")
    parser.add_argument("--reuse", action="store_true",
                        help="measure the database a previous run loaded, without reloading")
    return parser.parse_args()


def load_related(cursor) -> dict[str, float]:
    """Timeline events, stints, calls and problems for the loaded incidents."""
    timings = {}
    started = time.perf_counter()
    cursor.execute("""
        INSERT INTO core_timelineevent (subject_type, subject_id, at, actor_id, source, kind,
                                        changes, note, public, seq, hash)
        SELECT 'incident', i.id, e.at, NULL, 'web', e.kind, '{}', '', true, e.seq,
               md5(i.id::text || e.kind)
        FROM incidents_incident i
        CROSS JOIN LATERAL (VALUES (1, 'logged', i.registered_at),
                                   (2, 'assigned', i.assigned_at),
                                   (3, 'resolved', i.resolved_at)) AS e(seq, kind, at)
        WHERE e.at IS NOT NULL""")
    timings["timeline events"] = time.perf_counter() - started
    started = time.perf_counter()
    cursor.execute("""
        INSERT INTO incidents_teamstint (incident_id, team_id, tier, kind, target, started_at,
                                         ended_at, end_reason, responded_at, paused_seconds,
                                         breached, arrival_due_at, arrived_at)
        SELECT i.id, i.team_id, t.tier, 'assigned', '{}', i.assigned_at, i.resolved_at,
               CASE WHEN i.resolved_at IS NULL THEN '' ELSE 'resolved' END, i.accepted_at, 0,
               i.resolve_breached,
               CASE WHEN t.tier = 'onsite' THEN i.assigned_at + interval '2 hours' END,
               CASE WHEN t.tier = 'onsite' AND i.accepted_at IS NOT NULL
                    THEN i.accepted_at + (i.id % 180) * interval '1 minute' END
        FROM incidents_incident i JOIN core_team t ON t.id = i.team_id
        WHERE i.assigned_at IS NOT NULL""")
    timings["team stints"] = time.perf_counter() - started
    started = time.perf_counter()
    cursor.execute("""
        INSERT INTO calls_callrecord (source, external_id, direction, caller_number,
                                      caller_name, customer_id, offered_at, answered_at,
                                      answer_seconds, agent_name, incident_id, recorded_at)
        SELECT 'pbx', 'c' || i.id, 'inbound', '', '', i.customer_id,
               i.registered_at - interval '1 minute',
               i.registered_at - interval '1 minute' + (i.id % 30) * interval '1 second',
               i.id % 30, '', i.id, i.registered_at
        FROM incidents_incident i WHERE i.channel = 'phone'""")
    cursor.execute("""
        INSERT INTO calls_callrecord (source, external_id, direction, caller_number,
                                      caller_name, customer_id, offered_at, agent_name,
                                      recorded_at)
        SELECT 'pbx', 'a' || i.id, 'inbound', '', '', i.customer_id,
               i.registered_at - interval '5 minutes', '', i.registered_at
        FROM incidents_incident i WHERE i.channel = 'phone' AND i.id % 10 = 0""")
    timings["call records"] = time.perf_counter() - started
    started = time.perf_counter()
    cursor.execute("""
        INSERT INTO problems_problem (number, version, title, description, symptoms, category,
                                      level, source, state, root_cause, workaround, solution,
                                      preventive_actions, change_reference, review_minutes,
                                      user_representatives, dismissal_reason, trend_key,
                                      created_at, opened_at, resolved_at, updated_at)
        SELECT 'PRB-B-' || g, 1, '问题 ' || g, '', '', 'software', 'medium', 'trend_analysis',
               'accepted', '', '', '', '', '', '', '', '', '',
               now() - g * interval '4 hours', now() - g * interval '4 hours',
               CASE WHEN g % 3 = 0 THEN now() - g * interval '2 hours' END,
               now() - g * interval '4 hours'
        FROM generate_series(1, 2000) AS g""")
    timings["problems"] = time.perf_counter() - started
    for table in ("core_timelineevent", "incidents_teamstint", "calls_callrecord",
                  "problems_problem"):
        cursor.execute(f"ANALYZE {table}")
    return timings


def timed(function, repeat: int) -> float:
    function()  # warm-up: caches, plans
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def report(label: str, seconds: float, baseline: float, target_ms: float | None = None) -> None:
    verdict = ""
    if target_ms is not None:
        verdict = "  ok" if seconds * 1000 <= target_ms else f"  OVER {target_ms:.0f} ms"
    print(f"  {label:<46} {seconds * 1000:9.1f} ms   {seconds / baseline:8.1f} × baseline"
          f"{verdict}")


def measure(repeat: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from opsdesk.core.models import User
    from opsdesk.incidents.models import Incident
    from opsdesk.reports import dashboards, kpi_snapshots, kpis
    from opsdesk.reports.kpi_snapshot_models import KpiSnapshot
    from opsdesk.reports.periods import Period

    today = timezone.localdate()
    first_of_month = today.replace(day=1)
    last_month = first_of_month - timedelta(days=1)
    month = Period.month(last_month.year, last_month.month)
    year = Period.custom(today - timedelta(days=365), today - timedelta(days=1))
    in_month = Incident.objects.filter(occurred_at__gte=month.start, occurred_at__lt=month.end)
    baseline = timed(lambda: in_month.count(), repeat)
    print(f"month {month.label}: {in_month.count():,} incidents; year "
          f"{year.label}: {Incident.objects.filter(occurred_at__gte=year.start).count():,}")
    print(f"baseline, one indexed count of the month's incidents: {baseline * 1000:.1f} ms")
    print("KPI set (all 32 KPIs), median:")
    for label, period, group_by in (("month", month, None), ("month by team", month, "team"),
                                    ("month by day", month, "day"), ("year", year, None),
                                    ("year by month", year, "month")):
        report(label, timed(lambda p=period, g=group_by: kpis.compute(None, p, group_by=g),
                            repeat), baseline, 2000 if label == "month" else None)
    print("one source at a time, month:")
    for key in ("incidents_total", "calls_offered", "problems_total", "service_availability"):
        report(key + " (and its source)", timed(lambda k=key: kpis.compute([k], month),
                                                repeat), baseline)
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")  # as kpis.compute runs it
        cursor.execute("EXPLAIN ANALYZE " + _incident_sql(kpis, month))
        plan = [row[0] for row in cursor.fetchall()]
        cursor.execute("RESET jit")
    print("plan of the month's incident query (first and last lines):")
    for line in plan[:4] + plan[-2:]:
        print("   ", line)
    manager, _ = User.objects.get_or_create(username="bench_manager",
                                            defaults={"role": "service_manager"})
    now = timezone.now()

    def panel(name, query=None):
        return lambda: dashboards.panel_for(manager, name, query or {}, now)

    KpiSnapshot.objects.all().delete()
    print("KPI panels without snapshots (computed live), median:")
    for name in ("kpi_scorecard", "kpi_trend"):
        report(name, timed(panel(name), repeat), baseline, 300)
    started, collected = time.perf_counter(), 0
    while kpi_snapshots.collect_one() is not None:
        collected += 1
    seconds = time.perf_counter() - started
    print(f"worker collected {collected} KPI snapshots ({len(kpi_snapshots.scopes())} scopes × "
          f"{kpi_snapshots.TREND_MONTHS} months) in {seconds:.0f} s, "
          f"{seconds / max(collected, 1) * 1000:.0f} ms each")
    report("year by month from snapshots", timed(
        lambda: kpi_snapshots.by_month(None, year_of_months(today)), repeat), baseline)
    print(f"dashboard panels ({len(dashboards.PANELS)}), as the service manager, median:")
    for name in dashboards.PANELS:
        report(name, timed(panel(name), repeat), baseline, 300)
    print("KPI panels narrowed by one filter (the current month live), median:")
    for label, query in narrowing_filters():
        for name in ("kpi_scorecard", "kpi_trend"):
            report(f"{name}, {label}", timed(panel(name, query), repeat), baseline, 300)


def narrowing_filters() -> list[tuple[str, dict]]:
    from opsdesk.core.models import Customer, Service, Team

    def first(model):
        return str(model.objects.order_by("pk").values_list("pk", flat=True)[0])

    return [("one team", {"team": first(Team)}), ("one service", {"service": first(Service)}),
            ("one customer", {"customer": first(Customer)}), ("priority 2", {"priority": "2"})]


def year_of_months(today):
    """The twelve whole months ending with the current one."""
    from opsdesk.reports.periods import Period

    index = today.year * 12 + today.month - 12
    return Period.custom(today.replace(year=index // 12, month=index % 12 + 1, day=1),
                         Period.month(today.year, today.month).last_day)


def _incident_sql(kpis, period) -> str:
    """The SQL of the incident-source query as executed, parameters inlined."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from opsdesk.reports.kpi_sources import INCIDENTS

    keys = [kpi.key for kpi in kpis.KPIS.values() if kpi.source is INCIDENTS]
    with CaptureQueriesContext(connection) as captured:
        kpis.compute(keys, period)
    return max((query["sql"] for query in captured.captured_queries), key=len)


def run(args: argparse.Namespace, workdir: Path) -> None:
    if args.reuse:
        harness.setup_django(f"{harness.PG_SERVER}/{DATABASE}", workdir)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)  # the indexes and tables of newer code
        print(f"\n== KPI engine on PostgreSQL, reusing {DATABASE}, {harness.machine_load()}")
        measure(args.repeat)
        print(f"after: {harness.machine_load()}")
        return
    url = harness.fresh_database("postgresql", DATABASE, workdir)
    harness.setup_django(url, workdir)
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    org = organisation.build()
    print(f"\n== KPI engine on PostgreSQL ({harness.database_label(url)}), "
          f"{harness.machine_load()}")
    per_day = -(-args.incidents // 365)
    seconds = generator.load(args.incidents, org, per_day=per_day)
    print(f"loaded {args.incidents:,} incidents ({per_day:,} a day) in {seconds:.0f} s")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        timings = load_related(cursor)
    tables = {"core_timelineevent": "timeline events", "incidents_teamstint": "team stints",
              "calls_callrecord": "call records"}
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE incidents_incident")
        for table, label in tables.items():
            cursor.execute(f"SELECT count(*) FROM {table}")
            print(f"  {label}: {cursor.fetchone()[0]:,} rows in {timings[label]:.0f} s")
    measure(args.repeat)
    print(f"after: {harness.machine_load()}")


def main() -> None:
    args = parse_arguments()
    with tempfile.TemporaryDirectory(prefix="opsdesk-bench-") as workdir:
        run(args, Path(workdir))


if __name__ == "__main__":
    main()
