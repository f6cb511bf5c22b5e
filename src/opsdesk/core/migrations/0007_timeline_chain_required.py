from django.db import migrations, models


class Migration(migrations.Migration):
    """A migration of its own: PostgreSQL may refuse to alter a table in the
    transaction that updated its rows (0006): "pending trigger events"."""

    dependencies = [
        ("core", "0006_timeline_chain"),
    ]

    operations = [
        migrations.AlterField(
            model_name="timelineevent",
            name="seq",
            field=models.PositiveIntegerField(editable=False, verbose_name="sequence number"),
        ),
        migrations.AlterField(
            model_name="timelineevent",
            name="hash",
            field=models.CharField(editable=False, max_length=64, verbose_name="hash"),
        ),
        migrations.AddConstraint(
            model_name="timelineevent",
            constraint=models.UniqueConstraint(
                fields=("subject_type", "subject_id", "seq"), name="timeline_chain_seq"),
        ),
    ]
