"""Cheaper alert updates for the intake (issue 4): drop the two indexes that
others already lead with, and leave room on each page of alerts_alert so
that repeats (new start, last seen) are heap-only updates on PostgreSQL,
touching no index at all."""

import django.db.models.deletion
from django.db import migrations, models

ALERT_FILLFACTOR = 80


def leave_room_for_updates(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE alerts_alert SET (fillfactor = {ALERT_FILLFACTOR})")


def fill_pages(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE alerts_alert RESET (fillfactor)")


class Migration(migrations.Migration):

    dependencies = [
        ("alerts", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="alert",
            name="incident",
            field=models.ForeignKey(blank=True, db_index=False, null=True,
                                    on_delete=django.db.models.deletion.PROTECT,
                                    related_name="alerts", to="incidents.incident",
                                    verbose_name="incident"),
        ),
        migrations.AlterField(
            model_name="alert",
            name="source",
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="alerts", to="alerts.alertsource",
                                    verbose_name="source"),
        ),
        migrations.RunPython(leave_room_for_updates, fill_pages),
    ]
