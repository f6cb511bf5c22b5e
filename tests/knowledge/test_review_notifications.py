"""Review notifications (issue 5 item 4): a draft waiting for review is
announced to everyone who may review it (not its author, not its last
editor), approval and send-back to its author; all through the outbox, in
the transaction of the step, in each recipient's language."""

import pytest
from django.db import transaction

from opsdesk.core.choices import Role
from opsdesk.core.errors import Invalid
from opsdesk.core.models import Notification
from opsdesk.knowledge import actions

from .conftest import approve, write


@pytest.fixture
def reviewers(cast, problem_manager_gao):
    """lead_wang and problem_manager_gao review; an English-speaking service
    manager too; a robot and a deactivated manager are never told."""
    zheng = cast._user("service_manager_zheng", "郑宏", Role.SERVICE_MANAGER, None)
    zheng.language = "en"
    zheng.save(update_fields=["language"])
    robot = cast._user("robot", "机器人", Role.ADMIN, None)
    robot.is_robot = True
    robot.save(update_fields=["is_robot"])
    gone = cast._user("former_manager", "离职经理", Role.INCIDENT_MANAGER, None)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    return cast.lead_wang, problem_manager_gao, zheng


def told(event) -> list[tuple[str, str, str]]:
    return sorted((row.recipient.username, row.language, row.subject)
                  for row in Notification.objects.filter(event=event).select_related("recipient"))


def send_back(article, reviewer, note="请补充故障现象和适用范围"):
    return actions.review_article(article, actor=reviewer, source="web",
                                  expected_version=article.version, approve=False, note=note)


def edit(article, editor, **changes):
    return actions.update_article(article, actor=editor, source="web",
                                  expected_version=article.version, changes=changes)


def test_a_new_draft_is_announced_to_every_possible_reviewer(cast, reviewers):
    article = write(cast.agent_li, "打印机卡纸")

    assert told("article_review_requested") == [
        ("lead_wang", "zh-hans", "知识文章待审核：打印机卡纸"),
        ("problem_manager_gao", "zh-hans", "知识文章待审核：打印机卡纸"),
        ("service_manager_zheng", "en", "Knowledge article to review: 打印机卡纸"),
    ]
    row = Notification.objects.get(event="article_review_requested", recipient=reviewers[0])
    assert (row.subject_type, row.subject_id, row.reference) == (
        "article", article.pk, "KB-00001")
    assert "李娜 提交了知识文章 KB-00001，请审核" in row.body
    assert row.body.rstrip().endswith(f"/kb/{article.number}/")
    english = Notification.objects.get(event="article_review_requested",
                                       recipient=reviewers[2])
    assert "李娜 submitted knowledge article KB-00001 for review" in english.body


def test_a_reviewer_who_writes_is_not_asked_to_review_their_own(cast, reviewers):
    write(cast.lead_wang, "打印机卡纸")

    assert [username for username, _, _ in told("article_review_requested")] == [
        "problem_manager_gao", "service_manager_zheng"]


def test_approval_tells_the_author(cast, reviewers):
    article = write(cast.agent_li, "打印机卡纸")

    approve(article, reviewers[1])

    assert told("article_approved") == [
        ("agent_li", "zh-hans", "知识文章已审核通过：打印机卡纸")]
    body = Notification.objects.get(event="article_approved").body
    assert "KB-00001（打印机卡纸）已由 高建国 审核通过" in body


def test_a_send_back_tells_the_author_why_and_the_rework_asks_again(cast, reviewers):
    article = write(cast.agent_li, "打印机卡纸")
    Notification.objects.all().delete()

    article = send_back(article, reviewers[0])
    assert told("article_sent_back") == [
        ("agent_li", "zh-hans", "知识文章被退回修改：打印机卡纸")]
    assert "审核意见：\n请补充故障现象和适用范围" in Notification.objects.get().body

    edit(article, cast.agent_li, symptoms="进纸口卡纸，面板报错 E02")
    assert [username for username, _, _ in told("article_review_requested")] == [
        "lead_wang", "problem_manager_gao", "service_manager_zheng"]


def test_editing_a_draft_nobody_reviewed_yet_does_not_ask_again(cast, reviewers):
    article = write(cast.agent_li, "打印机卡纸")
    Notification.objects.all().delete()

    edit(article, cast.agent_li, symptoms="进纸口卡纸")

    assert Notification.objects.count() == 0


def test_editing_a_reviewed_article_asks_for_review_again_but_not_of_the_editor(
        cast, reviewers):
    article = approve(write(cast.agent_li, "打印机卡纸"), reviewers[1])
    Notification.objects.all().delete()

    edit(article, reviewers[0], solution="更换搓纸轮")

    assert [username for username, _, _ in told("article_review_requested")] == [
        "problem_manager_gao", "service_manager_zheng"]


def test_a_refused_step_queues_nothing(cast, reviewers):
    article = write(cast.agent_li, "打印机卡纸")
    Notification.objects.all().delete()

    with pytest.raises(Invalid):
        send_back(article, reviewers[0], note=" ")

    assert Notification.objects.count() == 0


def test_notifications_roll_back_with_the_step(cast, reviewers):
    with pytest.raises(RuntimeError), transaction.atomic():
        actions.create_from_text(cast.agent_li, "数据库连接数耗尽", "连接被拒绝", "调大连接池")
        assert Notification.objects.filter(event="article_review_requested").count() == 3
        raise RuntimeError("the caller's transaction failed")

    assert Notification.objects.count() == 0


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_review_template_renders_whole(cast, reviewers, language):
    reviewers[0].language = language
    reviewers[0].save(update_fields=["language"])
    cast.agent_li.language = language
    cast.agent_li.save(update_fields=["language"])

    article = send_back(write(cast.agent_li, "打印机卡纸"), reviewers[0])
    approve(edit(article, cast.agent_li, symptoms="卡纸"), reviewers[0])

    rows = Notification.objects.filter(language=language)
    assert {row.event for row in rows} >= {"article_review_requested", "article_sent_back",
                                           "article_approved"}
    for row in rows:
        assert "{{" not in row.body and "{%" not in row.body and "&quot;" not in row.body
        assert "KB-00001" in row.body and row.body.rstrip().endswith("/kb/KB-00001/")
