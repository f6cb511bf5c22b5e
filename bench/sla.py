"""SLA benchmark: what one sweep tick costs among a million open incidents
when 0, 100 and 10,000 of them are due, and how late escalation mails reach
a real SMTP server (deadline → receipt) with a real `opsdesk worker
--interval 1`; on PostgreSQL with fsync on.

    .venv/bin/python -m bench.sla [--incidents 1000000] [--latency-tickets 200]
        [--spread 60] [--repeat 5]

One tick is what the worker does for the sweep at one poll: it calls
SlaSweep.handle_one() (one claim of up to SlaSweep.batch_size due incidents,
fired set-wise in one transaction) until a call returns False. Ticks run in this process against
the loaded database; a baseline measured in the same run, one primary-key
UPDATE committed on its own, puts the figures in this machine's units.
A due ticket here is one whose response target has just been missed: it
fires exactly one step (a functional escalation), with its timeline event
and mails queued in the outbox.

Targets for issue 3: a tick with 100 due <= 50 ms, cost proportional to what
is due (not to the open tickets), p99 deadline → SMTP receipt <= 3 s.
Reported, not asserted.
"""

import argparse
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path

from aiosmtpd.controller import Controller

from bench import generator, harness, organisation

DATABASE = "opsdesk_bench_sla"
DUE_COUNTS = (0, 100, 10_000)
INCIDENT_MANAGER = "bench_incident_manager"
# The escalation mail's Message-ID starts with the incident's number.
NUMBER_IN_MESSAGE_ID = re.compile(r"<(INC-\d{8}-\d{4})\.")
# Sets a ticket's response deadline to `due`, as if registered that long
# before it, with nothing responded or fired: exactly the response breach is
# due at `due` (the matrix and resolution steps come later for P2-P4).
MAKE_DUE = """
UPDATE incidents_incident i SET
    registered_at = d.due - make_interval(mins => (i.sla_snapshot->>'response_minutes')::int),
    response_due_at = d.due, responded_at = NULL, response_breached = false,
    resolve_due_at = CASE WHEN i.resolve_due_at IS NOT NULL THEN d.due + make_interval(
        mins => (i.sla_snapshot->>'resolution_minutes')::int
                - (i.sla_snapshot->>'response_minutes')::int) END,
    resolve_breached = false, next_escalation_at = d.due
FROM unnest(%s::bigint[], %s::timestamptz[]) AS d(id, due) WHERE i.id = d.id
"""


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--incidents", type=int, default=1_000_000, help="open incidents")
    parser.add_argument("--repeat", type=int, default=5,
                        help="ticks timed with 0 and with 100 due (10,000: once)")
    parser.add_argument("--latency-tickets", type=int, default=200,
                        help="tickets falling due during the latency run")
    parser.add_argument("--spread", type=float, default=60,
                        help="seconds over which those tickets fall due")
    return parser.parse_args()


# ------------------------------------------------------------------ set-up


def give_escalations_somebody_to_tell(org: organisation.Organisation) -> None:
    """Every engineer gets an e-mail address, every team a lead, and there is
    an incident manager: the people a functional escalation notifies."""
    from opsdesk.core.models import Team, User

    engineers = User.objects.filter(username__in=org.usernames)
    for engineer in engineers:
        engineer.email = f"{engineer.username}@bench.example.cn"
    User.objects.bulk_update(engineers, ["email"])
    for team in Team.objects.filter(pk__gte=org.first_team,
                                    pk__lt=org.first_team + org.teams):
        team.lead = engineers.filter(team=team).order_by("username").first()
        team.save(update_fields=["lead"])
    User.objects.create_user(INCIDENT_MANAGER, email="im@bench.example.cn",
                             role="incident_manager", display_name="值班事件经理")


class DueTickets:
    """Hands out tickets never made due before, in a fixed random order, so
    each batch fires afresh; P1 tickets are left out (they also fire the
    priority 1 notice and a matrix step at the same instant)."""

    def __init__(self):
        from opsdesk.incidents.models import Incident

        self.ids = list(Incident.objects.filter(priority__gt=1).values_list("pk", flat=True))
        random.Random(3).shuffle(self.ids)

    def take(self, count: int) -> list[int]:
        taken, self.ids = self.ids[:count], self.ids[count:]
        return taken

    @staticmethod
    def make_due(ids: list[int], instants: list[datetime]) -> None:
        from django.db import connection, transaction

        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(MAKE_DUE, [ids, instants])


# ------------------------------------------------------------ measurements


def baseline_seconds(repeat: int = 200) -> float:
    """p50 of one primary-key UPDATE of an incident, committed on its own."""
    from django.db import connection, transaction

    timings = []
    with connection.cursor() as cursor:
        for i in range(repeat + 10):
            started = time.perf_counter()
            with transaction.atomic():
                cursor.execute("UPDATE incidents_incident SET version = version "
                               "WHERE id = %s", [1 + i * 997])
            timings.append(time.perf_counter() - started)
    return harness.percentile(timings[10:], 0.50)


def explain_claim(due: int) -> None:
    """EXPLAIN ANALYZE of the exact query the sweep claims with."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from opsdesk.sla.sweep import SlaSweep

    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        SlaSweep().handle_one()
        transaction.set_rollback(True)
    claim_sql = next(q["sql"] for q in captured.captured_queries if "FOR UPDATE" in q["sql"])
    settings = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SET LOCAL")]
    with transaction.atomic(), connection.cursor() as cursor:
        for setting in settings:
            cursor.execute(setting)
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {claim_sql}")
        plan = [row[0] for row in cursor.fetchall()]
    if not due:
        print("  the sweep's claim query:\n    " + "\n    ".join([*settings, claim_sql]))
    print(f"  its plan with {due:,} due:\n" + "\n".join(f"    {line}" for line in plan))
    if "incident_next_escalation" not in "\n".join(plan):
        print("  WARNING: the plan does not use the index incident_next_escalation")


def database_cpu_seconds() -> float:
    return harness.process_cpu_seconds(
        lambda command: command.startswith("postgres: ") and f" {DATABASE} " in command)


def one_tick() -> tuple[float, float, float, int]:
    """Wall seconds of one tick, CPU seconds of this process and of the
    PostgreSQL backends in it, and its calls."""
    from opsdesk.sla.sweep import SlaSweep

    sweep, calls = SlaSweep(), 1
    database = database_cpu_seconds()
    wall, cpu = time.perf_counter(), time.process_time()
    while sweep.handle_one():
        calls += 1
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return wall, cpu, database_cpu_seconds() - database, calls


def measure_ticks(tickets: DueTickets, repeat: int, baseline: float) -> None:
    from django.utils import timezone

    from opsdesk.core.models import Notification
    from opsdesk.incidents.models import Escalation
    from opsdesk.sla.sweep import SlaSweep

    empty = None
    for due in DUE_COUNTS:
        runs = 1 if due > 1000 else repeat
        walls, cpus, database_cpus = [], [], []
        for _ in range(runs):
            ids = tickets.take(due)
            tickets.make_due(ids, [timezone.now() - timedelta(seconds=1)] * due)
            if not walls and due != DUE_COUNTS[1]:
                explain_claim(due)
            fired_before = Escalation.objects.count()
            wall, cpu, database_cpu, calls = one_tick()
            fired = Escalation.objects.count() - fired_before
            if fired != due:
                raise SystemExit(f"{due} tickets were due but the tick fired {fired} steps")
            walls.append(wall)
            cpus.append(cpu)
            database_cpus.append(database_cpu)
        if due == 0:
            print(f"  one tick = SlaSweep.handle_one() until it returns False (claims of "
                  f"up to {SlaSweep.batch_size}); p50 of {repeat} ticks (10,000: one):")
        wall, cpu, database_cpu = (harness.percentile(values, 0.5)
                                   for values in (walls, cpus, database_cpus))
        line = (f"    {due:>6,} due: {1000 * wall:9.1f} ms ({calls} calls; CPU: Python "
                f"{1000 * cpu:.1f} ms, PostgreSQL {1000 * database_cpu:.1f} ms) "
                f"= baseline x{wall / baseline:,.1f}")
        if due:
            per_item = (wall - empty) / due
            line += (f"; per due ticket {1000 * per_item:.2f} ms = baseline "
                     f"x{per_item / baseline:.1f}")
        else:
            empty = wall
        print(line + f"  [{', '.join(f'{1000 * w:.1f}' for w in walls)} ms; "
                     f"{harness.machine_load()}]")
    queued = Notification.objects.count()
    print(f"  mails queued by the ticks: {queued:,} "
          f"({queued / Escalation.objects.count():.1f} per escalation)")


class Receiver:
    """A real SMTP server (aiosmtpd) noting when each message arrived."""

    def __init__(self):
        self.arrivals: list[tuple[float, str]] = []
        self.lock = threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=harness.free_port())

    async def handle_DATA(self, server, session, envelope):
        arrived = time.time()
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        with self.lock:
            self.arrivals.append((arrived, str(message["Message-ID"])))
        return "250 Message accepted"

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *_exception):
        self.controller.stop()

    @property
    def port(self) -> int:
        return self.controller.port


def measure_latency(tickets: DueTickets, env: dict, count: int, spread: float) -> None:
    from django.utils import timezone

    from opsdesk.core.models import Notification
    from opsdesk.incidents.models import Escalation, Incident

    Notification.objects.all().delete()  # the ticks' mails: not part of this run
    ids = tickets.take(count)
    start = timezone.now() + timedelta(seconds=15)  # the worker starts meanwhile
    instants = [start + timedelta(seconds=spread * i / count) for i in range(count)]
    tickets.make_due(ids, instants)
    due_at = dict(zip(Incident.objects.filter(pk__in=ids).order_by("pk")
                      .values_list("number", flat=True),
                      [instants[ids.index(pk)] for pk in sorted(ids)], strict=True))
    with Receiver() as smtp:
        worker_env = {**env, "OPSDESK_EMAIL_HOST": "127.0.0.1",
                      "OPSDESK_EMAIL_PORT": str(smtp.port), "OPSDESK_EMAIL_TIMEOUT": "10"}
        log = Path(env["OPSDESK_VAR_DIR"]) / "worker.log"
        with log.open("w") as log_file:
            worker = subprocess.Popen([harness.BIN / "opsdesk", "worker", "--interval", "1"],
                                      env=worker_env, cwd=env["OPSDESK_VAR_DIR"],
                                      stdout=log_file, stderr=subprocess.STDOUT)
        try:
            expected = wait_for_mails(smtp, ids, instants[-1], worker, log)
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:  # busy in a long handler: do not leave it running
                worker.kill()
                worker.wait()
        arrivals = list(smtp.arrivals)
    late = []
    for arrived, message_id in arrivals:
        number = NUMBER_IN_MESSAGE_ID.match(message_id)
        if number is None or number.group(1) not in due_at:
            raise SystemExit(f"a mail nobody expected: {message_id}")
        late.append(arrived - due_at[number.group(1)].timestamp())
    fired = [e.fired_at - due_at[e.incident.number]
             for e in Escalation.objects.filter(incident__in=ids).select_related("incident")]
    print(f"  {count} tickets due over {spread:.0f} s, {expected} escalation mails "
          f"({len(arrivals)} received)")
    print(f"  deadline → escalation fired: "
          f"{harness.latency_summary([d.total_seconds() for d in fired])}")
    print(f"  deadline → SMTP receipt:     {harness.latency_summary(late)}")


def wait_for_mails(smtp: Receiver, ids: list[int], last_due: datetime,
                   worker: subprocess.Popen, log: Path) -> int:
    """Wait until every ticket fired and every mail it queued has arrived;
    returns how many mails that is."""
    from django.db import close_old_connections

    from opsdesk.core.models import Notification
    from opsdesk.incidents.models import Escalation

    give_up = last_due.timestamp() + 120
    while time.time() < give_up:
        if worker.poll() is not None:
            raise SystemExit(f"the worker exited with {worker.returncode}:\n{log.read_text()}")
        time.sleep(1)
        close_old_connections()
        if Escalation.objects.filter(incident__in=ids).count() < len(ids):
            continue
        expected = Notification.objects.filter(subject_id__in=ids, event="escalated").count()
        if len(smtp.arrivals) >= expected:
            return expected
    raise SystemExit(f"not every mail arrived within 120 s of the last deadline "
                     f"({len(smtp.arrivals)} did); worker log:\n{log.read_text()[-3000:]}")


# ------------------------------------------------------------------ main


def run(args: argparse.Namespace, workdir: Path) -> None:
    url = harness.fresh_database("postgresql", DATABASE, workdir)
    env = harness.setup_django(url, workdir)
    harness.migrate_and_issue_token(env)
    org = organisation.build()
    give_escalations_somebody_to_tell(org)
    print(f"\n== SLA sweep on PostgreSQL ({harness.database_label(url)}), "
          f"{harness.machine_load()}")
    seconds = generator.load(args.incidents, org, all_open=True)
    from opsdesk.incidents.models import Incident

    open_count = Incident.objects.exclude(status="closed").count()
    print(f"loaded {args.incidents:,} incidents in {seconds:.0f} s; open: {open_count:,}")
    baseline = baseline_seconds()
    print(f"baseline, one primary-key UPDATE committed on its own (fsync on): "
          f"{1000 * baseline:.2f} ms")
    tickets = DueTickets()
    measure_ticks(tickets, args.repeat, baseline)
    print("latency, `opsdesk worker --interval 1` and an aiosmtpd server on 127.0.0.1:")
    measure_latency(tickets, env, args.latency_tickets, args.spread)
    print(f"after: {harness.machine_load()}")


def main() -> None:
    # Let `finally` blocks stop the worker when the benchmark is terminated.
    signal.signal(signal.SIGTERM, lambda _signal, _frame: sys.exit(143))
    args = parse_arguments()
    with tempfile.TemporaryDirectory(prefix="opsdesk-bench-") as workdir:
        run(args, Path(workdir))


if __name__ == "__main__":
    main()
