"""Queue benchmark: latency of the open queue at a million incidents, through
the REST API (GET /api/v1/incidents?status=new,assigned,in_progress,pending)
and the agent console's queue page, first page and a deep page (the 500th by
default, reached by following the cursor), sorted by priority and by newest,
filtered by team and by assignee.

    .venv/bin/python -m bench.queue [--incidents 1000000] [--database postgresql|sqlite|both]
        [--repeat 200] [--deep-page 500]

Requests go one at a time over a keep-alive connection to a real gunicorn
server, so each figure is what one agent waits for. The same is done first
for a baseline, GET /api/v1/teams (authenticated, trivial), and each page is
also printed as a multiple of it. Target for issue 2: p99 <= 50 ms at 1M
incidents. Reported, not asserted.
"""

import json
import re
from urllib.parse import urlencode

from bench import generator, harness, organisation

OPEN = "new,assigned,in_progress,pending"
# The console's "next page" link (rel="next"); other links on the page may
# carry the current cursor.
NEXT_LINK = re.compile(rb'<a href="([^"]*)"[^>]*rel="next"')
CURSOR = re.compile(rb"[?&](?:amp;)?cursor=([A-Za-z0-9_-]+)")


def add_arguments(parser) -> None:
    parser.add_argument("--incidents", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=200, help="timed requests per page")
    parser.add_argument("--deep-page", type=int, default=500)
    harness.add_server_arguments(parser)


def api_scenarios(org) -> list[tuple[str, dict]]:
    team, engineer = org.team_names[3], org.usernames[3 * org.engineers_per_team + 1]
    return [
        ("open, by priority", {"status": OPEN, "sort": "priority"}),
        ("open, newest first", {"status": OPEN, "sort": "newest"}),
        (f"open, team {team}, by priority", {"status": OPEN, "team": team, "sort": "priority"}),
        (f"open, assignee {engineer}, newest", {"status": OPEN, "assignee": engineer,
                                                "sort": "newest"}),
    ]


def console_scenarios(org) -> list[tuple[str, dict]]:
    team = org.team_names[3]
    return [
        ("all open, by priority", {"queue": "open", "sort": "priority"}),
        ("all open, newest first", {"queue": "open", "sort": "newest"}),
        (f"all open, team {team}, by priority", {"queue": "open", "team": team,
                                                 "sort": "priority"}),
    ]


def api_next_cursor(answer: harness.Response) -> str | None:
    return json.loads(answer.body)["next_cursor"]


def console_next_cursor(answer: harness.Response) -> str | None:
    link = NEXT_LINK.search(answer.body)
    cursor = CURSOR.search(link.group(1)) if link else None
    return cursor.group(1).decode() if cursor else None


def fetch(client: harness.Client, path: str) -> harness.Response:
    answer = client.request("GET", path)
    if answer.status != 200:
        raise SystemExit(f"GET {path}: HTTP {answer.status} {answer.body[:300]!r}")
    return answer


def timed(client, path: str, repeat: int) -> list[float]:
    for _ in range(5):
        fetch(client, path)
    return [fetch(client, path).seconds for _ in range(repeat)]


def measure_baseline(client, args) -> tuple[float, float]:
    """p50 and p99 of an authenticated trivial endpoint on the same server."""
    latencies = timed(client, harness.BASELINE_PATH, args.repeat)
    print(f"  baseline GET {harness.BASELINE_PATH}: {harness.latency_summary(latencies)}")
    return harness.percentile(latencies, 0.50), harness.percentile(latencies, 0.99)


def measure(client, base: str, params: dict, next_cursor, args, baseline) -> None:
    """Time the first page and the deep page (or the last, if fewer exist)."""
    page, cursor, path = 1, None, f"{base}?{urlencode(params)}"
    pages, seen = {1: path}, set()
    walk = fetch(client, path)
    while page < args.deep_page and (cursor := next_cursor(walk)):
        if cursor in seen:
            raise SystemExit(f"{base}: page {page} links back to an earlier page")
        seen.add(cursor)
        page += 1
        path = f"{base}?{urlencode({**params, 'cursor': cursor})}"
        walk = fetch(client, path)
    pages[page] = path
    for number, path in pages.items():
        latencies = timed(client, path, args.repeat)
        ratios = (harness.percentile(latencies, 0.50) / baseline[0],
                  harness.percentile(latencies, 0.99) / baseline[1])
        print(f"    page {number:>4}: {harness.latency_summary(latencies)}  "
              f"baseline x{ratios[0]:.1f} / x{ratios[1]:.1f}")


def run_one(args, database: str, workdir) -> None:
    url = harness.fresh_database(database, "opsdesk_bench_queue", workdir)
    env = harness.setup_django(url, workdir)
    token = harness.migrate_and_issue_token(env)
    org = organisation.build()
    print(f"\n== queue on {database} ({harness.database_label(url)})")
    seconds = generator.load(args.incidents, org)
    print(f"loaded {args.incidents:,} incidents in {seconds:.0f} s "
          f"({args.incidents / seconds:,.0f} rows/s, indexes rebuilt)")
    from django.urls import NoReverseMatch, reverse

    from opsdesk.incidents.models import Incident

    open_count = Incident.objects.filter(status__in=OPEN.split(",")).count()
    print(f"open (new/assigned/in progress/pending): {open_count:,}; "
          f"not closed: {Incident.objects.exclude(status='closed').count():,}")
    try:
        console_path = reverse("incidents:queue")
    except NoReverseMatch:
        console_path = None
    harness.close_django_connections()
    shape = harness.ServerShape(args.workers, args.threads)
    print(f"measured through HTTP: {shape.describe()}, one client, {args.repeat} sequential "
          f"requests per page after 5 warm-up requests; 50 rows per page")
    with harness.gunicorn(env, shape) as address:
        api = harness.Client(address, {"Authorization": f"Bearer {token}"})
        baseline = measure_baseline(api, args)
        for label, params in api_scenarios(org):
            print(f"  API {label}")
            measure(api, "/api/v1/incidents", params, api_next_cursor, args, baseline)
        if console_path is None:
            print("  console: skipped, the URL incidents:queue does not exist yet")
            return
        console = harness.Client(address)
        console.log_in(harness.BENCH_USER, harness.BENCH_PASSWORD)
        for label, params in console_scenarios(org):
            print(f"  console {label}")
            measure(console, console_path, params, console_next_cursor, args, baseline)


if __name__ == "__main__":
    harness.run_per_database(__doc__.split("\n\n")[0], add_arguments, run_one)
