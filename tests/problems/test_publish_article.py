"""A known error becomes a knowledge-base draft in one step (PRB-04, INC-07)."""

import pytest
from django.utils import translation

from opsdesk.core.errors import Invalid
from opsdesk.knowledge.actions import ArticleExists
from opsdesk.knowledge.models import Article
from opsdesk.problems import actions

from .conftest import walk_to


def test_a_known_error_is_written_up_as_a_draft_once(desk):
    cast = desk.cast
    problem = walk_to(cast, "known_error")
    article = actions.publish_as_article(problem, actor=cast.engineer_chen, source="web")
    assert (article.status, article.reference) == ("draft", problem.number)
    assert (article.title, article.symptoms, article.cause, article.solution) == (
        "网银登录缓慢反复出现", "网银登录页面长时间转圈", "连接池过小", "重启应用服务")
    assert list(article.cis.all()) == [cast.ci]
    with pytest.raises(ArticleExists):
        actions.publish_as_article(problem, actor=cast.engineer_chen, source="web")
    assert Article.objects.count() == 1


def test_only_a_known_error_can_be_written_up(desk):
    cast = desk.cast
    problem = walk_to(cast, "investigating")
    with translation.override("en"), pytest.raises(Invalid) as refused:
        actions.publish_as_article(problem, actor=cast.engineer_chen, source="web")
    assert "has no published workaround" in str(refused.value.fields["problem"])
    assert not Article.objects.exists()


def test_the_problem_page_button_opens_the_new_draft(desk, client):
    cast = desk.cast
    problem = walk_to(cast, "known_error")
    client.force_login(cast.engineer_chen)
    page = client.get(problem.get_absolute_url()).content.decode()
    assert 'data-testid="submit-publish-article"' in page
    response = client.post(f"/problems/{problem.number}/actions/publish-article/")
    article = Article.objects.get()
    assert response.status_code == 302 and response.url == article.get_absolute_url()
