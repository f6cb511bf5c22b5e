"""Chinese full-text search (issue 5 item 4): words inside sentences are
found, results are ranked by relevance, and each user finds only what they
may read. The same tests run on SQLite (FTS5) and PostgreSQL (tsvector)."""

import pytest
from django.db import connection

from opsdesk.knowledge import actions
from opsdesk.knowledge.search import search_articles

from .conftest import approve, published, write


def numbers(articles):
    return [article.number for article in articles]


@pytest.fixture
def printer_article(cast):
    return published(cast.agent_li, cast.lead_wang, "打印故障处理",
                     symptoms="办公室的打印机无法打印", solution="清除打印队列后重新连接")


def test_a_word_inside_a_chinese_sentence_is_found(cast, printer_article):
    published(cast.agent_li, cast.lead_wang, "VPN连接失败", symptoms="远程办公无法登录内网")

    assert numbers(search_articles("打印机", user=cast.agent_li)) == [printer_article.number]
    assert numbers(search_articles("打印队列", user=cast.agent_li)) == [printer_article.number]
    assert search_articles("数据库", user=cast.agent_li) == []


def test_a_sentence_as_query_finds_the_article_by_its_words(cast, printer_article):
    found = search_articles("我的打印机今天打印不了", user=cast.agent_li)

    assert numbers(found) == [printer_article.number]


def test_english_words_are_found_regardless_of_case(cast):
    article = published(cast.agent_li, cast.lead_wang, "Outlook cannot receive mail",
                        solution="Rebuild the OST file", language="en")

    assert numbers(search_articles("outlook", user=cast.agent_li)) == [article.number]
    assert numbers(search_articles("OST", user=cast.agent_li)) == [article.number]


def test_a_title_match_ranks_above_a_body_match(cast):
    in_body = published(cast.agent_li, cast.lead_wang, "网络故障排查",
                        symptoms="交换机端口闪断，影响打印机")
    in_title = published(cast.agent_li, cast.lead_wang, "打印机卡纸", symptoms="纸张卡在进纸口")

    assert numbers(search_articles("打印机", user=cast.agent_li)) == [in_title.number,
                                                                      in_body.number]


def test_more_matching_words_rank_above_fewer(cast):
    one = published(cast.agent_li, cast.lead_wang, "故障处理一", symptoms="服务器磁盘空间不足")
    both = published(cast.agent_li, cast.lead_wang, "故障处理二",
                     symptoms="服务器磁盘空间不足导致数据库无法写入")
    published(cast.agent_li, cast.lead_wang, "故障处理三", symptoms="显示器没有信号")

    assert numbers(search_articles("数据库 磁盘", user=cast.agent_li)) == [both.number,
                                                                          one.number]


def test_tags_and_the_category_are_searchable(cast):
    article = published(cast.agent_li, cast.lead_wang, "扩容数据盘", cis=[cast.ci],
                        category=cast.category)

    assert numbers(search_articles("vm-web-01", user=cast.agent_li)) == [article.number]
    assert numbers(search_articles("虚拟机磁盘变更", user=cast.agent_li)) == [article.number]


def test_an_edit_is_searchable_at_once_and_the_old_words_are_gone(cast, printer_article):
    actions.update_article(printer_article, actor=cast.agent_li, source="web",
                           expected_version=printer_article.version,
                           changes={"symptoms": "扫描仪无法扫描", "title": "扫描故障处理"})

    assert numbers(search_articles("扫描仪", user=cast.agent_li)) == [printer_article.number]
    assert search_articles("办公室", user=cast.agent_li) == []


def test_requesters_find_reviewed_articles_only(cast, printer_article):
    draft = write(cast.agent_li, "打印机驱动安装")

    assert numbers(search_articles("打印机", user=cast.requester_zhao)) == [
        printer_article.number]
    assert set(numbers(search_articles("打印机", user=cast.agent_li))) == {
        printer_article.number, draft.number}


def test_retired_articles_are_not_found(cast, printer_article):
    actions.retire_article(printer_article, actor=cast.lead_wang, source="web",
                           expected_version=printer_article.version)

    assert search_articles("打印机", user=cast.agent_li) == []


def test_nothing_to_search_for_finds_nothing(cast, printer_article):
    assert search_articles("", user=cast.agent_li) == []
    assert search_articles("的 了 ， 。", user=cast.agent_li) == []
    assert search_articles('"打印机" OR * NEAR(', user=cast.agent_li) != []


def test_the_limit_keeps_the_best(cast):
    body_only = published(cast.agent_li, cast.lead_wang, "网络故障", symptoms="影响打印机")
    in_titles = {approve(write(cast.agent_li, title), cast.lead_wang).number
                 for title in ("打印机卡纸", "打印机缺墨")}

    found = search_articles("打印机", user=cast.agent_li, limit=2)

    assert set(numbers(found)) == in_titles
    assert body_only.number not in numbers(found)


def test_the_index_is_the_database_own(cast, printer_article):
    """PostgreSQL: a GIN index on a tsvector; SQLite: an FTS5 table."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = "
                           "'article_search_vector'")
            assert "gin (search_vector)" in cursor.fetchone()[0]
        else:
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'knowledge_article_fts'")
            assert "fts5" in cursor.fetchone()[0]
