"""On PostgreSQL, trigram indexes make the queue's free-text search (title
contains …) an index scan instead of reading every row. SQLite scans."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in ("title", "description"):
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS incident_{column}_trgm ON incidents_incident "
            f"USING gin (upper({column}::text) gin_trgm_ops)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for column in ("title", "description"):
            schema_editor.execute(f"DROP INDEX IF EXISTS incident_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
