"""History import benchmark: a generated ServiceNow audit export (the UCI
event-log columns) through `opsdesk import servicenow`'s importer, in events
per second, on SQLite and PostgreSQL.

    PGPORT=54341 ./scripts/postgres      # a cluster of your own
    PGPORT=54341 .venv/bin/python -m bench.imports [--tickets 10000] [--database sqlite]

The export: `--tickets` tickets of 2 to 12 events each (New, a reassignment
or two, Active, a wait on the user, a reopening now and then, Resolved,
Closed), 60 groups, 30 categories with subcategories, anonymised closure
codes mapped by a mapping file as a site would, all created on the first
import with --create-missing. Deterministic (`--seed`).

Timed in this process, once each: reading and checking the file, writing
it (incidents, imported records and timeline events, batch by batch, each
batch committed), and importing the same file again (every ticket
unchanged, nothing written). Baseline, same run: the timeline events alone,
the same number (with smaller changes: two fields each), through
`timeline.record_many` in the same batch size and commits — about the least
an import of these events can cost. Besides wall time, the CPU seconds of
this process and of its PostgreSQL backend: on a shared machine they move
less with the load than the wall time does.
Target for issue 6: >= 5,000 events/s. Reported, not asserted.
"""

import io
import random
import time
from datetime import datetime, timedelta
from pathlib import Path

from bench import harness

DATABASE = "opsdesk_bench_imports"
MAPPING = "\n".join(["[values.closure_code]",
                     *(f'"code {n}" = "{"successful" if n < 12 else "workaround"}"'
                       for n in range(1, 18))])
HEADER = (
    "number,incident_state,active,reassignment_count,reopen_count,sys_mod_count,made_sla,"
    "caller_id,opened_by,opened_at,sys_created_by,sys_created_at,sys_updated_by,sys_updated_at,"
    "contact_type,location,category,subcategory,u_symptom,cmdb_ci,impact,urgency,priority,"
    "assignment_group,assigned_to,knowledge,u_priority_confirmation,notify,problem_id,rfc,"
    "vendor,caused_by,closed_code,resolved_by,resolved_at,closed_at")
LEVELS = ["1 - High", "2 - Medium", "2 - Medium", "2 - Medium", "3 - Low"]
PRIORITIES = {("1 - High", "1 - High"): "1 - Critical", ("1 - High", "2 - Medium"): "2 - High"}


def add_arguments(parser) -> None:
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=6)


def states(rng: random.Random) -> list[str]:
    path = ["New"] * rng.choice((1, 1, 2))
    path += ["Active"] * rng.randint(1, 3)
    if rng.random() < 0.3:
        path += ["Awaiting User Info"] * rng.randint(1, 2) + ["Active"]
    if rng.random() < 0.05:
        path += ["Resolved", "Active"]
    return [*path, "Resolved", "Closed"]


def export(tickets: int, rng: random.Random) -> tuple[bytes, int]:
    out = io.StringIO()
    out.write(HEADER + "\n")
    start = datetime(2024, 1, 1, 8, 0)
    stamp = "%d/%m/%Y %H:%M"
    events = 0
    for n in range(1, tickets + 1):
        opened = start + timedelta(minutes=13 * n)
        impact, urgency = rng.choice(LEVELS), rng.choice(LEVELS)
        priority = PRIORITIES.get((impact, urgency), "3 - Moderate" if "3" not in impact + urgency
                                  else "4 - Low")
        category = rng.randint(1, 30)
        fixed = dict(
            caller=f"Caller {rng.randint(1, 5000)}", category=f"Category {category}",
            subcategory=f"Subcategory {category * 10 + rng.randint(0, 4)}",
            symptom=f"Symptom {rng.randint(1, 600)}", code=f"code {rng.randint(1, 17)}",
            resolved_by=f"Resolved by {rng.randint(1, 200)}", sla=rng.random() > 0.05)
        path = states(rng)
        resolved_at = opened + timedelta(hours=2 * len(path))
        closed_at = resolved_at + timedelta(days=3)
        group, reassignments, reopens = rng.randint(1, 60), 0, 0
        for index, state in enumerate(path):
            at = opened + timedelta(minutes=1) if index == 0 else (
                closed_at if state == "Closed" else opened + timedelta(hours=2 * index))
            if state == "Active" and rng.random() < 0.3:
                group, reassignments = rng.randint(1, 60), reassignments + 1
            if state == "Active" and index and path[index - 1] == "Resolved":
                reopens += 1
            out.write(",".join([
                f"INC{n:07d}", state, str(state != "Closed").lower(), str(reassignments),
                str(reopens), str(index), str(fixed["sla"]).lower(), fixed["caller"],
                "Opened by 8", opened.strftime(stamp), "?", "?", f"Updated by {index % 40}",
                at.strftime(stamp), "Phone", f"Location {n % 200}", fixed["category"],
                fixed["subcategory"], fixed["symptom"], "?", impact, urgency, priority,
                f"Group {group}", f"Resolver {group * 3}", "true", "false", "Do Not Notify",
                "?", "?", "?", "?", fixed["code"], fixed["resolved_by"],
                resolved_at.strftime(stamp), closed_at.strftime(stamp)]) + "\n")
            events += 1
    return out.getvalue().encode(), events


def baseline(events: int, batch: int) -> float:
    """Seconds to write `events` timeline events (with an import's changes)
    through record_many, `batch` per committed transaction."""
    from django.db import transaction

    from opsdesk.core import timeline
    from opsdesk.incidents.models import Incident

    subject = Incident(pk=10**9)  # a number no incident has: only events are written
    changes = {"status": ["new", "in_progress"], "team": ["Group 1", "Group 2"]}
    started = time.perf_counter()
    for first in range(0, events, batch):
        rows = []
        for n in range(first, min(events, first + batch)):
            row = timeline.entry(subject, actor=None, source="bench", kind="imported",
                                 changes=changes, note=f"bench INC{n:07d} · Active")
            row.subject_id = 10**9 + n // 6
            rows.append(row)
        with transaction.atomic(durable=True):
            timeline.record_many(rows)
    return time.perf_counter() - started


def cpu_seconds() -> tuple[float, float]:
    """CPU used so far by this process and by the PostgreSQL backends of the
    benchmark database (0 on SQLite, which runs in this process)."""
    return time.process_time(), harness.process_cpu_seconds(
        lambda command: command.startswith("postgres: ") and f" {DATABASE} " in command)


def cpu_text(before: tuple[float, float], after: tuple[float, float]) -> str:
    python, backend = (end - start for start, end in zip(before, after, strict=True))
    return f"CPU {python:5.2f} s Python + {backend:5.2f} s PostgreSQL"


def run_one(args, database: str, workdir: Path) -> None:
    url = harness.fresh_database(database, DATABASE, workdir)
    harness.setup_django(url, workdir)
    from django.core.management import call_command

    from opsdesk.imports import actions
    from opsdesk.imports.importer import import_history
    from opsdesk.imports.mapping import load_file

    call_command("migrate", verbosity=0)
    content, events = export(args.tickets, random.Random(args.seed))
    (workdir / "codes.toml").write_text(MAPPING, encoding="utf-8")
    mapping = load_file(workdir / "codes.toml", builtin="servicenow")
    base_cpu = cpu_seconds()
    base_seconds = baseline(events, actions.BATCH_EVENTS)
    base_cpu = cpu_text(base_cpu, cpu_seconds())

    first_cpu = cpu_seconds()
    outcome = import_history(content, mapping, create_missing=True)
    first, first_cpu = outcome.seconds, cpu_text(first_cpu, cpu_seconds())
    assert outcome.summary.events_written == events, outcome.summary
    again = import_history(content, mapping, create_missing=True)
    assert again.summary.events_written == 0 and again.summary.tickets_unchanged == args.tickets

    print(f"\n== imports on {database} ({harness.database_label(url)})")
    print(f"export: {args.tickets:,} tickets, {events:,} events, {len(content) / 1e6:.1f} MB; "
          f"{harness.machine_load()}")
    print(f"  first import (read, check, create, write) {first:7.2f} s  "
          f"{events / first:8,.0f} events/s  {first_cpu}")
    print(f"  same file again (all unchanged)          {again.seconds:7.2f} s  "
          f"{events / again.seconds:8,.0f} events/s")
    print(f"  baseline: the events alone, record_many  {base_seconds:7.2f} s  "
          f"{events / base_seconds:8,.0f} events/s  {base_cpu}")
    print(f"  import = {first / base_seconds:.1f} x baseline; target >= 5,000 events/s: "
          f"{'met' if events / first >= 5000 else 'missed'}")


if __name__ == "__main__":
    harness.run_per_database(__doc__.split("\n\n")[0], add_arguments, run_one)
