"""On PostgreSQL, a trigram index makes the relationship form's picker
(name starts with / contains a fragment, in any case) an index scan instead
of reading every item. SQLite scans."""

from django.db import migrations

INDEX = "ci_name_trgm"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON core_configurationitem "
                          "USING gin (upper(name::text) gin_trgm_ops)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("cmdb", "0002_cirelationship")]
    operations = [migrations.RunPython(forwards, backwards)]
