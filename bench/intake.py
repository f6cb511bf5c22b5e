"""Intake benchmark: how many incidents per second OpsDesk registers through
`POST /api/v1/incidents`, with K concurrent API clients against a real
gunicorn server, on PostgreSQL (fsync on) and on SQLite.

    .venv/bin/python -m bench.intake [--incidents 4000] [--clients 8]
        [--database postgresql|sqlite|both] [--workers 4 --threads 1]

Target for issue 2: >= 400 incidents/s on PostgreSQL with 8 clients on a
2-core machine. Reported, not asserted.
"""

import json
import os

from bench import harness, organisation

TITLES = (
    "网银系统登录缓慢", "核心数据库连接数告警", "邮件服务器无法发送外部邮件", "VPN 无法连接",
    "虚拟机磁盘空间不足", "打印机卡纸无法打印", "财务系统报表导出失败", "办公网络丢包严重",
    "OA 系统审批流程卡住", "存储阵列硬盘故障告警", "申请新增虚拟机两台", "资源续租申请",
)
CHANNELS = ("phone", "phone", "email", "portal", "monitoring", "web", "chat", "api")
KINDS = {"monitoring": "alert", "portal": "service_request"}
IMPACTS = ("low", "medium", "medium", "high")
URGENCIES = ("low", "medium", "high", "medium", "critical")


def add_arguments(parser) -> None:
    parser.add_argument("--incidents", type=int, default=4000, help="measured creates (N)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent API clients (K)")
    parser.add_argument("--warmup", type=int, default=200, help="creates before measuring")
    harness.add_server_arguments(parser)
    parser.add_argument("--no-idempotency-key", action="store_true",
                        help="leave out the Idempotency-Key header")


def payloads(org: organisation.Organisation, *, with_key: bool, run: str):
    """make_request for harness.run_load: phone, e-mail and monitoring
    intake across customers and CIs, some with a named requester."""

    def make_request(i: int):
        channel = CHANNELS[i % len(CHANNELS)]
        customer = (i * 7) % org.customers
        body = {
            "title": f"{TITLES[i % len(TITLES)]}（{i}）",
            "description": "客户来电反映该问题影响日常业务，请尽快处理。",
            "kind": KINDS.get(channel, "fault"),
            "channel": channel,
            "impact": IMPACTS[i % len(IMPACTS)],
            "urgency": URGENCIES[i % len(URGENCIES)],
            "customer": org.customer_codes[customer],
            "ci": org.ci_names[customer * org.cis_per_customer + i % org.cis_per_customer],
        }
        if channel in {"phone", "email"}:
            body["requester"] = {"name": f"联系人{i % 97}", "email": f"user{i % 97}@example.cn",
                                 "phone": f"1380000{i % 10000:04d}"}
        headers = {"Idempotency-Key": f"{run}-{i}"} if with_key else {}
        return "POST", "/api/v1/incidents", json.dumps(body, ensure_ascii=False).encode(), headers

    return make_request


def run_one(args, database: str, workdir) -> None:
    url = harness.fresh_database(database, "opsdesk_bench_intake", workdir)
    env = harness.setup_django(url, workdir)
    token = harness.migrate_and_issue_token(env)
    org = organisation.build()
    harness.close_django_connections()
    shape = harness.ServerShape(args.workers, args.threads)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json",
               "Accept-Language": "en"}

    print(f"\n== intake on {database} ({harness.database_label(url)})")
    print(f"server: {shape.describe()} on {os.cpu_count()} cores; client: {args.clients} "
          f"threads, one keep-alive http.client connection each; "
          f"Idempotency-Key: {'no' if args.no_idempotency_key else 'yes'}")
    with harness.gunicorn(env, shape) as address:
        warm = harness.run_load(
            address, clients=args.clients, total=args.warmup, headers=headers, expect=201,
            make_request=payloads(org, with_key=not args.no_idempotency_key, run="warm"))
        if warm.first_failure:
            raise SystemExit(f"warm-up failed: {warm.first_failure}")
        print(f"before: {harness.machine_load()}")
        server_cpu = harness.server_cpu_meter(address[1], url.rpartition("/")[2])
        cpu_before = server_cpu()
        result = harness.run_load(
            address, clients=args.clients, total=args.incidents, headers=headers, expect=201,
            make_request=payloads(org, with_key=not args.no_idempotency_key, run="run"))
        web_cpu, db_cpu = (after - before for after, before in zip(server_cpu(), cpu_before,
                                                                   strict=True))
        baseline = harness.baseline_load(address, clients=args.clients, headers=headers,
                                         total=args.incidents)

    from opsdesk.incidents.models import Incident

    stored = Incident.objects.count()
    print(f"created {result.statuses[201]} of {args.incidents} in {result.wall_seconds:.1f} s: "
          f"{result.throughput:.0f} incidents/s")
    print(f"latency: {harness.latency_summary(result.latencies)}")
    database_cpu = (f", PostgreSQL backends {1000 * db_cpu / args.incidents:.1f} ms"
                    if database == "postgresql" else "")
    print(f"CPU per incident: gunicorn {1000 * web_cpu / args.incidents:.1f} ms{database_cpu}; "
          f"load client {result.client_cpu_seconds:.1f} s in all = "
          f"{100 * result.client_cpu_seconds / result.wall_seconds:.0f}% of one core")
    print(f"baseline, GET /api/v1/teams (an authenticated trivial endpoint) from the same "
          f"clients: {baseline.throughput:.0f} requests/s, "
          f"{harness.latency_summary(baseline.latencies)}")
    print(f"intake / baseline: {result.throughput / baseline.throughput:.2f} "
          f"(target 400/s is {400 / baseline.throughput:.2f} of this machine's baseline)")
    print(f"stored incidents: {stored} (warm-up {args.warmup} + measured {args.incidents})")
    if result.first_failure or stored != args.warmup + args.incidents:
        raise SystemExit(f"unexpected answers {dict(result.statuses)}: {result.first_failure}")


if __name__ == "__main__":
    harness.run_per_database(__doc__.split("\n\n")[0], add_arguments, run_one)
