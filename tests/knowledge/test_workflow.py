"""The review workflow per role (issue 5 item 4): an author writes a draft,
a reviewer who did not write it approves it or sends it back with a note,
reviewers retire it; every step lands on the article's history."""

import pytest

from opsdesk.core.errors import Forbidden, Invalid, TransitionNotAllowed, VersionConflict
from opsdesk.core.models import TimelineEvent
from opsdesk.knowledge import actions, rules
from opsdesk.knowledge.choices import ArticleStatus, Step
from opsdesk.knowledge.models import Article
from tests.conftest import FROZEN_AT

from .conftest import approve, write


def history(article):
    return list(TimelineEvent.objects.filter(subject_type="article", subject_id=article.pk)
                .order_by("id").values_list("kind", flat=True))


def test_a_new_article_is_a_numbered_draft_by_its_author(cast):
    article = write(cast.agent_li, "打印机卡纸", symptoms="进纸口卡纸", cis=[cast.ci])

    assert article.number == "KB-00001"
    assert write(cast.agent_li, "另一篇").number == "KB-00002"
    assert (article.status, article.author, article.version) == (
        ArticleStatus.DRAFT, cast.agent_li, 1)
    assert list(article.cis.all()) == [cast.ci]
    assert history(article) == ["created"]


def test_requesters_do_not_write_articles_and_bad_input_changes_nothing(cast):
    with pytest.raises(Forbidden):
        write(cast.requester_zhao, "我写的文章")
    with pytest.raises(Invalid) as error:
        actions.create_article(actor=cast.agent_li, source="web", title=" ", solution="",
                               language="fr")
    assert set(error.value.fields) == {"title", "solution", "language"}
    assert Article.objects.count() == 0
    assert TimelineEvent.objects.filter(subject_type="article").count() == 0


@pytest.mark.parametrize("reviewer", ["lead_wang", "problem_manager_gao", "admin",
                                      "service_manager"])
def test_managers_and_administrators_approve_a_colleagues_draft(cast, request, reviewer):
    from opsdesk.core.choices import Role

    users = {"lead_wang": lambda: cast.lead_wang,
             "problem_manager_gao": lambda: request.getfixturevalue("problem_manager_gao"),
             "admin": lambda: cast._user("admin", "管理员", Role.ADMIN, None),
             "service_manager": lambda: cast._user("zheng", "郑宏", Role.SERVICE_MANAGER, None)}
    user = users[reviewer]()
    article = approve(write(cast.agent_li, "打印机卡纸"), user)

    assert (article.status, article.reviewer, article.reviewed_at) == (
        ArticleStatus.REVIEWED, user, FROZEN_AT)
    assert history(article) == ["created", "approved"]


@pytest.mark.parametrize("role_holder", ["agent_li", "engineer_chen", "leader_ma"])
def test_agents_engineers_and_leadership_do_not_review(cast, role_holder):
    article = write(cast.lead_wang, "打印机卡纸")

    with pytest.raises(Forbidden):
        approve(article, getattr(cast, role_holder))
    assert Article.objects.get().status == ArticleStatus.DRAFT


def test_an_author_cannot_review_their_own_article(cast):
    article = write(cast.lead_wang, "打印机卡纸")

    with pytest.raises(Forbidden):
        approve(article, cast.lead_wang)
    assert rules.allowed_steps(article, cast.lead_wang) == [Step.EDIT, Step.RETIRE]


def test_nor_can_the_reviewer_who_edited_it_last(cast, problem_manager_gao):
    article = write(cast.agent_li, "打印机卡纸")
    article = actions.update_article(article, actor=cast.lead_wang, source="web",
                                     expected_version=article.version,
                                     changes={"solution": "更换搓纸轮"})

    with pytest.raises(Forbidden):
        approve(article, cast.lead_wang)
    assert approve(article, problem_manager_gao).status == ArticleStatus.REVIEWED


def test_sending_back_needs_a_note_which_the_author_sees_until_they_edit(cast):
    article = write(cast.agent_li, "打印机卡纸")
    with pytest.raises(Invalid) as error:
        actions.review_article(article, actor=cast.lead_wang, source="web",
                               expected_version=article.version, approve=False, note=" ")
    assert set(error.value.fields) == {"note"}

    article = actions.review_article(article, actor=cast.lead_wang, source="web",
                                     expected_version=article.version, approve=False,
                                     note="请补充原因")
    assert (article.status, article.review_note) == (ArticleStatus.DRAFT, "请补充原因")

    article = actions.update_article(article, actor=cast.agent_li, source="web",
                                     expected_version=article.version,
                                     changes={"cause": "搓纸轮老化"})
    assert (article.review_note, article.version) == ("", 3)
    assert history(article) == ["created", "sent_back", "edited"]


def test_editing_a_reviewed_article_makes_it_a_draft_again_and_keeps_the_old_text(cast):
    article = approve(write(cast.agent_li, "打印机卡纸", solution="重启打印机"), cast.lead_wang)

    article = actions.update_article(article, actor=cast.agent_li, source="web",
                                     expected_version=article.version,
                                     changes={"solution": "更换搓纸轮", "cis": [cast.ci]})

    assert (article.status, article.reviewer) == (ArticleStatus.DRAFT, None)
    edit = TimelineEvent.objects.filter(subject_type="article", kind="edited").get()
    assert edit.changes == {"solution": ["重启打印机", "更换搓纸轮"],
                            "cis": [[], ["vm-web-01"]],
                            "status": ["reviewed", "draft"]}


def test_only_the_author_or_a_reviewer_edits(cast):
    article = write(cast.agent_li, "打印机卡纸")

    with pytest.raises(Forbidden):
        actions.update_article(article, actor=cast.engineer_chen, source="web",
                               expected_version=None, changes={"title": "改标题"})


def test_an_edit_on_a_stale_version_is_refused(cast):
    article = write(cast.agent_li, "打印机卡纸")
    actions.update_article(article, actor=cast.agent_li, source="web", expected_version=1,
                           changes={"title": "打印机卡纸处理"})

    with pytest.raises(VersionConflict):
        actions.update_article(article, actor=cast.lead_wang, source="web",
                               expected_version=1, changes={"title": "别的标题"})
    assert Article.objects.get().title == "打印机卡纸处理"


def test_a_retired_article_never_changes_again(cast):
    article = approve(write(cast.agent_li, "打印机卡纸"), cast.lead_wang)
    with pytest.raises(Forbidden):
        actions.retire_article(article, actor=cast.agent_li, source="web",
                               expected_version=article.version)
    article = actions.retire_article(article, actor=cast.lead_wang, source="web",
                                     expected_version=article.version, note="设备已淘汰")

    assert article.status == ArticleStatus.RETIRED
    with pytest.raises(TransitionNotAllowed):
        actions.update_article(article, actor=cast.lead_wang, source="web",
                               expected_version=article.version, changes={"title": "x"})
    assert rules.allowed_steps(article, cast.lead_wang) == []


def test_a_known_error_becomes_a_draft_in_one_step_once(cast):
    article = actions.create_from_text(cast.engineer_chen, "数据库连接池耗尽",
                                       "应用报连接超时", "临时重启应用，扩大连接池",
                                       cause="连接泄漏", ci=cast.ci, category=cast.category,
                                       reference="KE-0001")

    assert (article.origin, article.reference, article.status) == (
        "known_error", "KE-0001", ArticleStatus.DRAFT)
    assert (article.symptoms, article.cause, list(article.cis.all())) == (
        "应用报连接超时", "连接泄漏", [cast.ci])
    with pytest.raises(actions.ArticleExists):
        actions.create_from_text(cast.engineer_chen, "数据库连接池耗尽", "", "重启",
                                 reference="KE-0001")
