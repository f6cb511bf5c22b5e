"""The full-text index over the segmented text (search_title, search_body).

PostgreSQL: a generated tsvector column, title weighted A and body C, with a
GIN index; it follows every write by itself. SQLite: an FTS5 table with the
article table as its external content, kept in step by triggers. Django
rebuilds a SQLite table (dropping its triggers) when a later migration alters
a column of knowledge_article: such a migration must run SQLITE below again."""

from django.db import migrations

POSTGRESQL = [
    "ALTER TABLE knowledge_article ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple'::regconfig, search_title), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, search_body), 'C')) STORED",
    "CREATE INDEX article_search_vector ON knowledge_article USING gin (search_vector)",
]
SQLITE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS knowledge_article_fts USING fts5("
    "search_title, search_body, content='knowledge_article', content_rowid='id', "
    "tokenize='unicode61')",
    "DROP TRIGGER IF EXISTS knowledge_article_fts_insert",
    "CREATE TRIGGER knowledge_article_fts_insert AFTER INSERT ON knowledge_article BEGIN "
    "INSERT INTO knowledge_article_fts (rowid, search_title, search_body) "
    "VALUES (new.id, new.search_title, new.search_body); END",
    "DROP TRIGGER IF EXISTS knowledge_article_fts_delete",
    "CREATE TRIGGER knowledge_article_fts_delete AFTER DELETE ON knowledge_article BEGIN "
    "INSERT INTO knowledge_article_fts (knowledge_article_fts, rowid, search_title, search_body) "
    "VALUES ('delete', old.id, old.search_title, old.search_body); END",
    "DROP TRIGGER IF EXISTS knowledge_article_fts_update",
    "CREATE TRIGGER knowledge_article_fts_update AFTER UPDATE OF search_title, search_body "
    "ON knowledge_article BEGIN "
    "INSERT INTO knowledge_article_fts (knowledge_article_fts, rowid, search_title, search_body) "
    "VALUES ('delete', old.id, old.search_title, old.search_body); "
    "INSERT INTO knowledge_article_fts (rowid, search_title, search_body) "
    "VALUES (new.id, new.search_title, new.search_body); END",
    # Rows written before the table existed (none on a fresh install).
    "INSERT INTO knowledge_article_fts (knowledge_article_fts) VALUES ('rebuild')",
]


def forwards(apps, schema_editor):
    statements = {"postgresql": POSTGRESQL, "sqlite": SQLITE}.get(schema_editor.connection.vendor)
    for statement in statements or ():
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("ALTER TABLE knowledge_article DROP COLUMN search_vector")
    elif vendor == "sqlite":
        for trigger in ("insert", "delete", "update"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS knowledge_article_fts_{trigger}")
        schema_editor.execute("DROP TABLE IF EXISTS knowledge_article_fts")


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
