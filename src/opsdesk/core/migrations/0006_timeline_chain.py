"""Chain the timeline events written before the hash chain existed: each
record's events in the order they were written (by id), in batches, so that
a table of millions of events never sits in memory."""

from django.db import migrations, models
from django.db.models import F, Q
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan

from opsdesk.core import chain

BATCH = 2_000
ORDER = ("subject_type", "subject_id", "id")


def chain_existing_events(apps, schema_editor):
    TimelineEvent = apps.get_model("core", "TimelineEvent")
    events = TimelineEvent.objects.order_by(*ORDER)
    subject, seq, previous = None, 0, chain.GENESIS
    batch = list(events[:BATCH])
    while batch:
        for event in batch:
            if (event.subject_type, event.subject_id) != subject:
                subject, seq, previous = (event.subject_type, event.subject_id), 0, chain.GENESIS
            seq += 1
            event.seq = seq
            event.hash = previous = chain.digest(event, previous)
        TimelineEvent.objects.bulk_update(batch, ["seq", "hash"], batch_size=500)
        last = batch[-1]
        after = Q(TupleGreaterThan(Tuple(*map(F, ORDER)),
                                   [last.subject_type, last.subject_id, last.id]))
        batch = list(events.filter(after)[:BATCH])


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0005_cmdb_configuration_items"),
    ]

    operations = [
        migrations.AddField(
            model_name="timelineevent",
            name="seq",
            field=models.PositiveIntegerField(
                editable=False, null=True, verbose_name="sequence number"),
        ),
        migrations.AddField(
            model_name="timelineevent",
            name="hash",
            field=models.CharField(editable=False, max_length=64, null=True, verbose_name="hash"),
        ),
        migrations.RunPython(chain_existing_events, migrations.RunPython.noop, elidable=False),
    ]
