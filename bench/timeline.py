"""Timeline append throughput: events/s through `timeline.record_many`, the
path of the SLA sweep and of the history importer (issue 6: >= 5,000
events/s for the import).

    DATABASE_URL=postgres://… .venv/bin/python -m bench.timeline [--events 50000]
        [--batch 1000] [--per-record 20]

It migrates the database it is given (use a scratch one: it adds incidents'
worth of timeline rows), then appends `--events` events in batches of
`--batch`, each batch one transaction, in two shapes: new records (the
importer: each record's chain starts in the batch) and records that already
have a history (the sweep: each event extends a long chain). Figures are
printed, never asserted. The server runs as it is configured (the private
test cluster has fsync off; say so when quoting figures).
"""

import argparse
import itertools
import os
import tempfile
import time
from types import SimpleNamespace


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=50_000, help="events per shape")
    parser.add_argument("--batch", type=int, default=1_000, help="events per record_many")
    parser.add_argument("--per-record", type=int, default=20,
                        help="events per record in the new-records shape")
    return parser.parse_args()


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsdesk.settings")
    os.environ.setdefault("OPSDESK_VAR_DIR", tempfile.mkdtemp(prefix="opsdesk-bench-"))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def append(subjects: list[int], batch: int, write=None) -> float:
    """Seconds to append one event to each of `subjects`, in that order,
    through record_many (or `write`)."""
    from django.db import transaction

    from opsdesk.core import timeline

    write = write or timeline.record_many

    started = time.perf_counter()
    for first in range(0, len(subjects), batch):
        events = [timeline.entry(SimpleNamespace(TIMELINE_TYPE="bench", pk=pk), actor=None,
                                 source="import", kind="updated",
                                 changes={"status": ["assigned", "in_progress"], "team": [3, 4]},
                                 note="批量导入的历史事件")
                  for pk in subjects[first:first + batch]]
        with transaction.atomic(durable=True):
            write(events)
    return time.perf_counter() - started


def unchained(events):
    """The same rows with one plain bulk_create and no chain work (seq from a
    counter, empty hash): what record_many cost before the chain."""
    from opsdesk.core.models import TimelineEvent

    for event in events:
        event.seq, event.hash = next(_SEQ), ""
    return TimelineEvent.objects.bulk_create(events)


_SEQ = itertools.count(1)


def main() -> None:
    args = parse_arguments()
    setup_django()
    from django.db import connection

    from opsdesk.core.models import TimelineEvent

    # Importer shape: a record's events follow each other, its chain starts here.
    subjects = [10_000_000 + n // args.per_record for n in range(args.events)]
    # Sweep shape: each event extends a chain of the records written before.
    extending = sorted(set(subjects)) * args.per_record
    for label, write in (("without the chain", unchained), ("record_many", None)):
        TimelineEvent.objects.filter(subject_type="bench").delete()
        new = args.events / append(subjects, args.batch, write)
        old = args.events / append(extending, args.batch, write)
        print(f"{connection.vendor}, {label}, batches of {args.batch}: "
              f"new records ({len(set(subjects))} x {args.per_record}) {new:,.0f} events/s; "
              f"records with a history {old:,.0f} events/s")
    TimelineEvent.objects.filter(subject_type="bench").delete()


if __name__ == "__main__":
    main()
