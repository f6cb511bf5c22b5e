""""Used to resolve" (INC-07): an agent records the article that helped on
the incident; the knowledge-base utilisation KPI counts resolved incidents
with such a record. And an article from a resolved incident in one step."""

from datetime import timedelta

import pytest

from opsdesk.core.errors import Forbidden, Invalid
from opsdesk.core.models import TimelineEvent
from opsdesk.incidents import actions as incident_actions
from opsdesk.incidents.rules import IncidentClosed
from opsdesk.knowledge import actions
from opsdesk.knowledge.models import Article, ArticleUse
from opsdesk.knowledge.queries import utilisation
from tests.api.conftest import closed, in_progress, resolved
from tests.conftest import FROZEN_AT

from .conftest import published


@pytest.fixture
def article(cast):
    return published(cast.agent_li, cast.lead_wang, "网银登录缓慢处理",
                     symptoms="网银登录需要一分钟以上", solution="清理会话缓存")


def use(article, incident, actor):
    return actions.mark_used(article, incident=incident, actor=actor, source="web")


def test_an_agent_records_the_article_used_on_both_timelines(cast, article):
    incident = in_progress(cast)

    recorded = use(article, incident, cast.engineer_chen)

    assert (recorded.incident, recorded.article, recorded.user, recorded.at) == (
        incident, article, cast.engineer_chen, FROZEN_AT)
    assert Article.objects.get().used_count == 1
    on_incident = TimelineEvent.objects.get(subject_type="incident", kind="article_used")
    assert on_incident.note == "KB-00001 网银登录缓慢处理"
    on_article = TimelineEvent.objects.get(subject_type="article", kind="used")
    assert on_article.note == incident.number


def test_the_same_article_counts_once_per_incident(cast, article):
    incident = in_progress(cast)
    use(article, incident, cast.engineer_chen)

    with pytest.raises(Invalid) as error:
        use(article, incident, cast.agent_li)
    assert set(error.value.fields) == {"article"}
    assert (ArticleUse.objects.count(), Article.objects.get().used_count) == (1, 1)


def test_requesters_do_not_record_and_closed_incidents_do_not_change(cast, article):
    with pytest.raises(Forbidden):
        use(article, cast.log(), cast.requester_zhao)
    with pytest.raises(IncidentClosed):
        use(article, closed(cast), cast.agent_li)
    assert ArticleUse.objects.count() == 0


def test_a_retired_article_is_not_recorded(cast, article):
    actions.retire_article(article, actor=cast.lead_wang, source="web",
                           expected_version=article.version)

    with pytest.raises(Invalid):
        use(article, cast.log(), cast.agent_li)


def test_utilisation_counts_resolved_incidents_with_an_article(cast, article, frozen):
    helped = in_progress(cast)
    use(article, helped, cast.engineer_chen)
    incident_actions.resolve(helped, actor=cast.engineer_chen, source="web",
                             expected_version=helped.version + 0, closure_code="successful",
                             solution="清理会话缓存")
    resolved(cast)  # without an article
    still_open = in_progress(cast)
    use(article, still_open, cast.engineer_chen)  # not resolved: not counted
    frozen.shift(timedelta(days=2))
    resolved(cast)  # outside the window

    figures = utilisation(FROZEN_AT - timedelta(days=1), FROZEN_AT + timedelta(days=1))

    assert (figures.resolved, figures.with_article, figures.rate) == (2, 1, 0.5)
    assert utilisation(FROZEN_AT - timedelta(days=9), FROZEN_AT - timedelta(days=8)).rate is None


def test_a_resolved_incident_becomes_a_prefilled_draft_once(cast):
    incident = resolved(cast, symptoms="登录页面转圈")

    article = actions.create_from_incident(incident, actor=cast.engineer_chen, source="web")

    assert (article.title, article.symptoms, article.solution, article.category,
            list(article.cis.all()), article.status, article.author) == (
        "网银系统登录缓慢", "登录页面转圈", "扩容了数据盘", cast.category, [cast.ci], "draft",
        cast.engineer_chen)
    assert (article.origin, article.reference) == ("incident", incident.number)
    with pytest.raises(actions.ArticleExists):
        actions.create_from_incident(incident, actor=cast.agent_li, source="web")
    assert Article.objects.count() == 1


def test_an_unresolved_incident_does_not_become_an_article(cast):
    with pytest.raises(Invalid) as error:
        actions.create_from_incident(in_progress(cast), actor=cast.agent_li, source="web")
    assert set(error.value.fields) == {"incident"}
    with pytest.raises(Forbidden):
        actions.create_from_incident(resolved(cast), actor=cast.requester_zhao, source="web")
    assert Article.objects.count() == 0
