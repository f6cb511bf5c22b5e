"""The console counts the "recently closed" queue (status closed, closed in
the last 7 days) on every queue page. At a million incidents SQLite, which
has no statistics, prefers the equality on status and walks all ~950,000
closed rows for it (0.3 s a page, bench/queue.py). An index on
(status, closed_at) makes it one short range scan (0.2 ms). PostgreSQL
already answers it from the closed_at index (0.8 ms), so it gets no extra
index to maintain. (SQLite does not choose a partial index on closed_at
WHERE status = 'closed', which would have been smaller.)"""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS incident_recently_closed "
            "ON incidents_incident (status, closed_at)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP INDEX IF EXISTS incident_recently_closed")


class Migration(migrations.Migration):
    dependencies = [("incidents", "0002_search_trigram")]
    operations = [migrations.RunPython(forwards, backwards)]
