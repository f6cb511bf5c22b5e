"""CMDB benchmark: impact analysis on a generated graph of 100,000 CIs with
cycles, for a CI with exactly 1,000 dependants, on SQLite and PostgreSQL.

    .venv/bin/python -m bench.cmdb [--cis 100000] [--dependants 1000] [--repeat 20]

The graph: a background of random runs_on / depends_on / part_of edges among
all CIs (with cycles, about 1.5 edges per CI), and one target CI whose
dependants are exactly `--dependants` CIs. Each of them depends on the target
or on an earlier one, some depend back on later ones (cycles through the
target's dependants), every tenth is part of one of ten business services,
and all of them also run on background CIs (downward edges, which must not
count). Nothing in the background depends on them, so the expected set is
known and checked on every run.

Timed in this process, median of `--repeat` runs each: the upward walk
(`impact.dependant_ids`), the affected services (`impact.affected_services`,
the walk plus the type filter, what the incident page and API run), the
downward walk from one business service, and, as the baseline in this
machine's units, one indexed one-hop query (the target's direct dependants).
Target for issue 5: impact for a CI with 1,000 dependants <= 100 ms.
Reported, not asserted.

The database is read, never written, while timing, so PostgreSQL runs in
whatever durability mode the shared cluster is in (no restart).
"""

import random
import statistics
import time
from pathlib import Path

import psycopg

from bench import harness

DATABASE = "opsdesk_bench_cmdb"
BATCH = 5000
SERVICES = 10


def add_arguments(parser) -> None:
    parser.add_argument("--cis", type=int, default=100_000)
    parser.add_argument("--dependants", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--seed", type=int, default=5)


def fresh_database(database: str, workdir: Path) -> str:
    if database == "sqlite":
        return harness.fresh_database("sqlite", DATABASE, workdir)
    with psycopg.connect(f"{harness.PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DATABASE}"')
    return f"{harness.PG_SERVER}/{DATABASE}"


def generate(cis: int, dependants: int, rng: random.Random) -> dict:
    """Write the graph; return the target's id and what impact must find."""
    from opsdesk.cmdb.models import CiRelationship
    from opsdesk.core.models import ConfigurationItem

    types = ["physical_server", "virtual_machine", "database", "application", "storage",
             "network_device"]
    target = 1
    group = list(range(2, 2 + dependants))  # the target's dependants
    services = group[-SERVICES:]
    background = list(range(2 + dependants, cis + 1))
    ConfigurationItem.objects.bulk_create(
        (ConfigurationItem(id=i, name=f"ci-{i:06d}", type_id=(
            "business_service" if i in services else rng.choice(types)))
         for i in range(1, cis + 1)), batch_size=BATCH)

    edges = set()
    kinds = ["runs_on", "depends_on", "depends_on", "part_of"]
    for source in background:  # random background with cycles, never into the group
        for _ in range(rng.choice((1, 1, 2))):
            other = rng.choice(background)
            if other != source:
                edges.add((source, rng.choice(kinds), other))
    members = group[:-SERVICES]
    for index, member in enumerate(members):
        edges.add((member, "depends_on", rng.choice([target, *members[:index]])))
        edges.add((member, "runs_on", rng.choice(background)))
        if index % 7 == 3:  # a cycle back through a later member
            edges.add((member, "depends_on", rng.choice(members[index + 1:] or [target])))
        if index % 10 == 0:
            edges.add((member, "part_of", services[index // 10 % SERVICES]))
    edges.add((target, "runs_on", rng.choice(background)))
    CiRelationship.objects.bulk_create(
        (CiRelationship(source_id=s, kind=k, target_id=t) for s, k, t in edges),
        batch_size=BATCH)
    return {"target": target, "dependants": set(group), "services": set(services),
            "edges": len(edges), "top_service": services[0]}


def median_ms(run, repeat: int) -> float:
    run()  # warm the caches
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def run_one(args, database: str, workdir: Path) -> None:
    url = fresh_database(database, workdir)
    harness.setup_django(url, workdir)
    from django.core.management import call_command
    from django.db import connection

    from opsdesk.cmdb import impact
    from opsdesk.cmdb.models import CiRelationship
    from opsdesk.core.models import ConfigurationItem

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    graph = generate(args.cis, args.dependants, random.Random(args.seed))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    load_seconds = time.perf_counter() - started

    target = ConfigurationItem.objects.get(pk=graph["target"])
    found = set(impact.dependant_ids(target.pk))
    services = {ci.pk for ci in impact.affected_services(target)}
    assert found == graph["dependants"], (len(found), len(graph["dependants"]))
    assert services == graph["services"], services

    top = ConfigurationItem.objects.get(pk=graph["top_service"])
    supporting = impact.supporting_ids(top.pk)
    one_hop = CiRelationship.objects.filter(target_id=target.pk, kind__in=["runs_on",
                                                                          "depends_on"])
    figures = {
        "upward walk, 1,000 dependants": median_ms(lambda: impact.dependant_ids(target.pk),
                                                   args.repeat),
        "affected services (walk + type filter)": median_ms(
            lambda: list(impact.affected_services(target)), args.repeat),
        f"downward walk from a service ({len(supporting)} items)": median_ms(
            lambda: impact.supporting_ids(top.pk), args.repeat),
        "baseline: one indexed one-hop query": median_ms(
            lambda: list(one_hop.values_list("source_id", flat=True)), args.repeat),
    }
    print(f"\n== cmdb on {database} ({harness.database_label(url)})")
    print(f"graph: {args.cis:,} CIs, {graph['edges']:,} relationships, written in "
          f"{load_seconds:.1f} s; {harness.machine_load()}")
    print(f"checked: {len(found):,} dependants and {len(services)} services, exactly as built")
    for label, ms in figures.items():
        print(f"  {label:<48} {ms:8.2f} ms (median of {args.repeat})")
    ratio = figures["upward walk, 1,000 dependants"] / figures[
        "baseline: one indexed one-hop query"]
    print(f"  upward walk = {ratio:.0f} x baseline; target <= 100 ms: "
          f"{'met' if figures['affected services (walk + type filter)'] <= 100 else 'missed'}")


if __name__ == "__main__":
    harness.run_per_database(__doc__.split("\n\n")[0], add_arguments, run_one)
