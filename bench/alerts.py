"""Alert intake benchmark: Alertmanager webhooks (groups of 10 alerts) through
`POST /api/v1/alerts/<source>` with correlation, K concurrent senders against
a real gunicorn server, on PostgreSQL (fsync on) and on SQLite.

    .venv/bin/python -m bench.alerts [--alerts 10000] [--cis 50] [--clients 4]
        [--database postgresql|sqlite|both] [--workers 4 --threads 1]

Three phases over one alert storm of N alerts on C CIs (each group holds ten
alerts of one CI, as `group_by: [instance]` sends them): fire (the storm:
C incidents expected), repeat (every alert again with a new start: only
occurrences), resolve (every alert cleared: the C incidents closed).
Target for issue 4: >= 2,000 alerts/s on PostgreSQL. Reported, not asserted.
"""

import json
import os
import re

from bench import harness, organisation

GROUP = 10


def add_arguments(parser) -> None:
    parser.add_argument("--alerts", type=int, default=10_000, help="alerts in the storm (N)")
    parser.add_argument("--cis", type=int, default=50, help="CIs the storm hits (C)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent senders (K)")
    harness.add_server_arguments(parser)


def groups(ci_names: list[str], alerts: int, *, status: str, starts: str):
    """make_request for harness.run_load: group i holds alerts 10i…10i+9, all
    on CI i mod C."""
    ends = "2026-11-23T02:30:00Z" if status == "resolved" else "0001-01-01T00:00:00Z"

    def make_request(i: int):
        ci = ci_names[i % len(ci_names)]
        batch = [{
            "status": status,
            "labels": {"alertname": f"Check{n % 40}", "instance": f"{ci}:9100",
                       "job": "node", "severity": "critical", "series": str(n)},
            "annotations": {"summary": f"检查项 {n} 异常"},
            "startsAt": starts, "endsAt": ends,
            "generatorURL": "http://prometheus.bench:9090/graph",
            "fingerprint": f"bench-{n:06d}",
        } for n in range(i * GROUP, min((i + 1) * GROUP, alerts))]
        body = {"version": "4", "groupKey": f'{{}}:{{instance="{ci}:9100"}}', "status": status,
                "receiver": "opsdesk", "groupLabels": {"instance": f"{ci}:9100"},
                "commonLabels": {}, "commonAnnotations": {}, "truncatedAlerts": 0,
                "externalURL": "http://alertmanager.bench:9093", "alerts": batch}
        return ("POST", "/api/v1/alerts/bench", json.dumps(body, ensure_ascii=False).encode(),
                {})

    return make_request


def run_one(args, database: str, workdir) -> None:
    url = harness.fresh_database(database, "opsdesk_bench_alerts", workdir)
    env = harness.setup_django(url, workdir)
    user_token = harness.migrate_and_issue_token(env)
    org = organisation.build()
    harness.close_django_connections()
    created = harness.opsdesk(env, "alert-source", "create", "bench", "--kind", "alertmanager",
                              "--team", org.team_names[3], "--category", "监控告警")
    token = re.search(r"oda_\S+", created).group()
    spread = len(org.ci_names) // args.cis
    ci_names = org.ci_names[::spread][:args.cis]
    requests = -(-args.alerts // GROUP)
    shape = harness.ServerShape(args.workers, args.threads)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    print(f"\n== alerts on {database} ({harness.database_label(url)})")
    print(f"server: {shape.describe()} on {os.cpu_count()} cores; client: {args.clients} "
          f"senders; storm: {args.alerts} alerts on {args.cis} CIs in groups of {GROUP}")
    print(f"before: {harness.machine_load()}")
    phases = [("fire", "firing", "2026-11-23T01:00:00Z"),
              ("repeat", "firing", "2026-11-23T01:10:00Z"),
              ("resolve", "resolved", "2026-11-23T01:10:00Z")]
    total_seconds = 0.0
    with harness.gunicorn(env, shape) as address:
        server_cpu = harness.server_cpu_meter(address[1], url.rpartition("/")[2])
        for name, status, starts in phases:
            cpu_before = server_cpu()
            result = harness.run_load(address, clients=args.clients, total=requests,
                                      headers=headers, expect=200,
                                      make_request=groups(ci_names, args.alerts,
                                                          status=status, starts=starts))
            web_cpu, db_cpu = (after - before for after, before in
                               zip(server_cpu(), cpu_before, strict=True))
            if result.first_failure:
                raise SystemExit(f"{name} failed: {result.first_failure}")
            total_seconds += result.wall_seconds
            print(f"{name:8} {args.alerts / result.wall_seconds:7.0f} alerts/s "
                  f"({requests / result.wall_seconds:.0f} deliveries/s); "
                  f"{harness.latency_summary(result.latencies)}; CPU per alert: gunicorn "
                  f"{1000 * web_cpu / args.alerts:.2f} ms, database "
                  f"{1000 * db_cpu / args.alerts:.2f} ms")
        cpu_before = server_cpu()
        baseline = harness.baseline_load(address, clients=args.clients, total=requests,
                                         headers={"Authorization": f"Bearer {user_token}"})
        baseline_cpu = [after - before for after, before in
                        zip(server_cpu(), cpu_before, strict=True)]
    overall = 3 * args.alerts / total_seconds
    print(f"overall  {overall:7.0f} alerts/s (target 2,000/s on PostgreSQL)")
    print(f"baseline, GET /api/v1/teams from the same clients: {baseline.throughput:.0f} "
          f"requests/s; deliveries / baseline: "
          f"{overall / GROUP / baseline.throughput:.2f} (the target is "
          f"{2000 / GROUP / baseline.throughput:.2f} of this machine's baseline); CPU per "
          f"baseline request (warm-up included): gunicorn "
          f"{1000 * baseline_cpu[0] / requests:.2f} ms, database "
          f"{1000 * baseline_cpu[1] / requests:.2f} ms")
    _check(args)


def _check(args) -> None:
    from django.db.models import Max, Min

    from opsdesk.alerts.models import Alert
    from opsdesk.incidents.models import Incident

    incidents = Incident.objects.filter(channel="monitoring")
    closed = incidents.filter(status="closed").count()
    occurrences = Alert.objects.aggregate(low=Min("occurrences"), high=Max("occurrences"))
    rows, open_rows = Alert.objects.count(), Alert.objects.filter(status="firing").count()
    print(f"incidents: {incidents.count()} (expected {args.cis}), closed {closed}; "
          f"alert rows {rows} (expected {args.alerts}), still firing {open_rows}; "
          f"occurrences per alert {occurrences['low']}–{occurrences['high']} (expected 2)")
    right = (incidents.count() == closed == args.cis and rows == args.alerts
             and open_rows == 0 and occurrences == {"low": 2, "high": 2})
    print("count check: " + ("OK" if right else "WRONG"))
    if not right:
        raise SystemExit("the storm did not correlate as expected")


if __name__ == "__main__":
    harness.run_per_database(__doc__.split("\n\n")[0], add_arguments, run_one)
