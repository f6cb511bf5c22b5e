"""Chinese full-text search over articles, ranked by relevance, on both
databases behind one function. The text is segmented by segment.py; the
database matches and ranks the words: PostgreSQL with ts_rank over a
weighted tsvector (title A, body C), SQLite with FTS5's bm25 (title ×5).
Any word of the query may match; articles matching more of them, or
matching in the title, rank higher."""

from django.db import connection

from .choices import ArticleStatus
from .models import Article
from .queries import RELATED, visible_statuses
from .segment import query_terms

# bm25 column weights: search_title, search_body.
SQLITE_WEIGHTS = (5.0, 1.0)


def _postgresql(terms: list[str], statuses: list[str], limit: int) -> list[int]:
    tsquery = " || ".join(["plainto_tsquery('simple', %s)"] * len(terms))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT a.id FROM knowledge_article a, (SELECT {tsquery} AS query) q "
            "WHERE a.search_vector @@ q.query AND a.status = ANY(%s) "
            "ORDER BY ts_rank(a.search_vector, q.query) DESC, a.id DESC LIMIT %s",
            [*terms, statuses, limit],
        )
        return [row[0] for row in cursor.fetchall()]


def _sqlite(terms: list[str], statuses: list[str], limit: int) -> list[int]:
    match = " OR ".join('"{}"'.format(term.replace('"', '""')) for term in terms)
    marks = ", ".join(["%s"] * len(statuses))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.id FROM knowledge_article_fts f JOIN knowledge_article a ON a.id = f.rowid "
            f"WHERE knowledge_article_fts MATCH %s AND a.status IN ({marks}) "
            "ORDER BY bm25(knowledge_article_fts, %s, %s), a.id DESC LIMIT %s",
            [match, *statuses, *SQLITE_WEIGHTS, limit],
        )
        return [row[0] for row in cursor.fetchall()]


BACKENDS = {"postgresql": _postgresql, "sqlite": _sqlite}


def search_articles(query: str, *, user, limit: int = 10,
                    statuses: frozenset | None = None) -> list[Article]:
    """The articles `user` may see that match `query`, best first. Retired
    articles are left out unless `statuses` asks for them."""
    allowed = visible_statuses(user) & (
        statuses if statuses is not None else {ArticleStatus.DRAFT, ArticleStatus.REVIEWED})
    terms = query_terms(query or "")
    if not terms or not allowed or limit < 1:
        return []
    ids = BACKENDS[connection.vendor](terms, sorted(str(s) for s in allowed), limit)
    rows = Article.objects.select_related(*RELATED).in_bulk(ids)
    return [rows[pk] for pk in ids if pk in rows]
