"""enqueue(): rows in the caller's transaction, one per recipient and
channel the recipient chose, rendered in the recipient's language."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.db import transaction

from opsdesk.core import outbox
from opsdesk.core.models import Notification, NotificationPreference, NotificationTarget
from opsdesk.incidents.choices import Status

from ..conftest import FROZEN_AT


def _escalate(cast, incident, recipients, actor=None):
    return outbox.enqueue(incident, event="escalated", recipients=recipients, actor=actor,
                          context={"incident": incident, "reason": "解决时限已用完"})


def test_rows_written_in_a_transaction_that_rolls_back_are_gone(cast):
    incident = cast.log()
    before = Notification.objects.count()

    with pytest.raises(RuntimeError, match="the action failed"), transaction.atomic():
        _escalate(cast, incident, [cast.engineer_chen, cast.lead_wang])
        assert Notification.objects.count() == before + 2
        raise RuntimeError("the action failed")

    assert Notification.objects.count() == before


def test_enqueue_outside_a_transaction_is_refused(tx_cast):
    incident = tx_cast.log()

    with pytest.raises(RuntimeError, match="inside the transaction"):
        _escalate(tx_cast, incident, [tx_cast.engineer_chen])


def test_a_user_gets_one_due_email_in_their_language(cast):
    incident = cast.log()
    cast.lead_wang.language = "en"

    chinese, english = _escalate(cast, incident, [cast.engineer_chen, cast.lead_wang])

    assert (chinese.recipient, chinese.channel, chinese.address, chinese.language) == (
        cast.engineer_chen, "email", "engineer_chen@example.com", "zh-hans")
    assert chinese.subject == "事件已升级：网银系统登录缓慢"
    assert f"事件 {incident.number} 已升级。" in chinese.body
    assert "原因：解决时限已用完" in chinese.body
    assert "优先级：P3 · 中" in chinese.body
    assert (english.recipient, english.language) == (cast.lead_wang, "en")
    assert english.subject == "Escalated: 网银系统登录缓慢"
    assert "Priority:   P3 · medium" in english.body
    for row in (chinese, english):
        assert (row.status, row.attempts, row.next_attempt_at) == ("pending", 0, FROZEN_AT)
        assert (row.subject_type, row.subject_id, row.reference, row.event) == (
            "incident", incident.pk, incident.number, "escalated")
        assert row.link == f"http://127.0.0.1:8000/incidents/{incident.number}/"
        assert row.link in row.body
        assert row.message_id.startswith(f"<{incident.number}.")
        assert row.message_id.endswith("@localhost>")


def test_preferences_choose_the_channels(cast):
    incident = cast.log()
    gateway = NotificationTarget.objects.create(
        name="短信网关", kind="sms", url="https://sms.example.cn/send", secret="t0ken")
    robot = NotificationTarget.objects.create(
        name="二线企业微信群", kind="wecom", url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send")
    chen = cast.engineer_chen
    chen.phone = "13800000001"
    NotificationPreference.objects.bulk_create([
        NotificationPreference(user=chen, channel="email", enabled=False),
        NotificationPreference(user=chen, channel="sms", enabled=True),
        NotificationPreference(user=chen, channel="wecom", enabled=True, target=robot),
        # Enabled SMS without a phone number, a robot channel without a target,
        # and a switched-off channel: none of them produces a row.
        NotificationPreference(user=cast.lead_wang, channel="sms", enabled=True),
        NotificationPreference(user=cast.lead_wang, channel="dingtalk", enabled=True),
        NotificationPreference(user=cast.l2_colleague_sun, channel="feishu", enabled=False,
                               target=robot),
    ])

    rows = _escalate(cast, incident, [chen, cast.lead_wang, cast.l2_colleague_sun])

    assert sorted((row.recipient.username, row.channel, row.address, row.target_id)
                  for row in rows) == [
        ("engineer_chen", "sms", "13800000001", gateway.pk),
        ("engineer_chen", "wecom", "", robot.pk),
        ("engineer_sun", "email", "engineer_sun@example.com", None),
        ("lead_wang", "email", "lead_wang@example.com", None),
    ]
    assert all(row.message_id == "" for row in rows if row.channel != "email")


def test_a_disabled_target_is_not_used(cast, caplog):
    incident = cast.log()
    robot = NotificationTarget.objects.create(
        name="旧钉钉群", kind="dingtalk", url="https://oapi.dingtalk.com/robot/send", enabled=False)
    NotificationPreference.objects.create(user=cast.engineer_chen, channel="dingtalk",
                                          target=robot)
    cast.engineer_chen.email = ""

    rows = _escalate(cast, incident, [cast.engineer_chen, robot])

    assert rows == []
    assert "not notifying disabled target 旧钉钉群" in caplog.text
    assert "engineer_chen has no usable notification channel" in caplog.text


def test_targets_and_plain_addresses_are_recipients_too(cast):
    incident = cast.log()
    mailbox = NotificationTarget.objects.create(
        name="管理层邮件组", kind="email", address="management@example.cn", language="en")
    hook = NotificationTarget.objects.create(
        name="监控平台", kind="webhook", url="https://hooks.example.cn/opsdesk")

    rows = _escalate(cast, incident, [mailbox, hook, "reporter@example.org"])

    assert [(row.channel, row.address, row.target, row.recipient, row.language)
            for row in rows] == [
        ("email", "management@example.cn", mailbox, None, "en"),
        ("webhook", "", hook, None, "zh-hans"),
        ("email", "reporter@example.org", None, None, "zh-hans"),
    ]


def test_the_actor_inactive_users_and_repeats_get_nothing(cast):
    incident = cast.log()
    cast.l2_colleague_sun.is_active = False

    rows = _escalate(cast, incident, [cast.lead_wang, cast.engineer_chen, cast.l2_colleague_sun,
                                      cast.engineer_chen, "engineer_chen@example.com"],
                     actor=cast.lead_wang)

    assert [(row.recipient, row.address) for row in rows] == [
        (cast.engineer_chen, "engineer_chen@example.com")]


def test_anything_else_as_a_recipient_is_a_programming_error(cast):
    with pytest.raises(TypeError, match="cannot notify"):
        _escalate(cast, cast.log(), [cast.customer])


def _contexts(cast, incident) -> dict[str, dict]:
    return {
        "incident_logged_p1": {"incident": incident},
        "escalated": {"incident": incident, "reason": "reason-text", "level": "运维服务经理"},
        "assigned": {"incident": incident},
        "status_changed": {"incident": incident, "old_status": Status.IN_PROGRESS.label},
        "public_comment": {"incident": incident, "comment": "comment-text",
                           "author": cast.engineer_chen},
        "breach_warning": {"incident": incident, "target": "resolution", "percent": 80,
                           "due_at": FROZEN_AT + timedelta(hours=1)},
        "mail_received": {"incident": incident},
        "mail_follow_up": {"incident": incident, "closed": SimpleNamespace(number="INC-X")},
        "problem_assigned": {"problem": PROBLEM},
        "problem_solved": {"problem": PROBLEM},
    }


PROBLEM = SimpleNamespace(number="PRB-X", title="网银登录反复缓慢", team="二线系统组",
                          solution="升级数据库驱动")


EXPECTED = {
    ("incident_logged_p1", "zh-hans"): ("新登记一级事件：网银系统登录缓慢", "需要立即处理"),
    ("incident_logged_p1", "en"): ("Priority 1 incident logged: 网银系统登录缓慢",
                                   "Logged at:  2026-11-23 10:00"),
    ("escalated", "zh-hans"): ("事件已升级：网银系统登录缓慢", "已升级至运维服务经理。"),
    ("escalated", "en"): ("Escalated: 网银系统登录缓慢", "Why:        reason-text"),
    ("assigned", "zh-hans"): ("事件已分派给陈伟：网银系统登录缓慢", "已分派给陈伟（二线系统组）"),
    ("assigned", "en"): ("Assigned to 陈伟: 网银系统登录缓慢", "assigned to 陈伟 (二线系统组)"),
    ("status_changed", "zh-hans"): ("您的事件状态变为“已解决”：网银系统登录缓慢",
                                    "解决方案：\n重启应用服务"),
    ("status_changed", "en"): ("Your incident is now resolved: 网银系统登录缓慢",
                               "changed from In progress to Resolved"),
    ("public_comment", "zh-hans"): ("您的事件有新回复：网银系统登录缓慢", "陈伟 在事件"),
    ("public_comment", "en"): ("New reply on your incident: 网银系统登录缓慢",
                               "陈伟 wrote on incident"),
    ("breach_warning", "zh-hans"): ("SLA 即将超时（已用 80%）：网银系统登录缓慢",
                                    "到期时间为 2026-11-23 11:00"),
    ("breach_warning", "en"): ("SLA at risk (80% used): 网银系统登录缓慢",
                               "80% of the resolution time"),
    ("mail_received", "zh-hans"): ("已受理：网银系统登录缓慢", "优先级 P3"),
    ("mail_received", "en"): ("Received: 网银系统登录缓慢", "(priority P3)"),
    ("mail_follow_up", "zh-hans"): ("已登记为新事件：网银系统登录缓慢",
                                    "您回复的事件 INC-X 已经关闭"),
    ("mail_follow_up", "en"): ("Registered as a new incident: 网银系统登录缓慢",
                               "the incident you replied to, INC-X, is closed"),
    ("problem_assigned", "zh-hans"): ("您被指派为问题 INC-20261123-0001 的负责人：网银登录反复缓慢",
                                      "（二线系统组）"),
    ("problem_assigned", "en"): ("Problem INC-20261123-0001 is yours: 网银登录反复缓慢",
                                 "with the analysis group (二线系统组)"),
    ("problem_solved", "zh-hans"): ("问题 PRB-X 已解决：事件 INC-20261123-0001 可以解决了",
                                    "升级数据库驱动"),
    ("problem_solved", "en"): ("Problem PRB-X is solved: incident INC-20261123-0001 can be "
                               "resolved", "has a solution:\n\n升级数据库驱动"),
}


# Templates rendered and checked by the tests of the app that sends them.
TESTED_ELSEWHERE = {(name, "en") for name in (
    "signin_link", "survey_invitation", "survey_reminder",  # tests/portal
    "change_vote_needed", "change_decided", "change_unrecorded",  # tests/changes
    "article_review_requested", "article_approved", "article_sent_back",  # tests/knowledge
    "major_declared", "major_update", "major_update_due", "major_report",  # tests/major
    "major_lifted",
    "monthly_report",  # tests/reports/test_monthly_mail.py
)}


@pytest.mark.parametrize(("template", "language"), EXPECTED)
def test_every_template_renders_in_both_languages(cast, template, language):
    incident = cast.log()
    incident.team, incident.assignee = cast.l2, cast.engineer_chen
    incident.status, incident.solution = Status.RESOLVED, "重启应用服务"

    subject, body = outbox.render(template, language, {
        **_contexts(cast, incident)[template], "reference": incident.number, "link": "LINK"})

    expected_subject, expected_phrase = EXPECTED[template, language]
    assert subject == expected_subject
    assert expected_phrase in body
    assert incident.number in body and body.rstrip().endswith("LINK")
    assert "{{" not in body and "{%" not in body and "&quot;" not in body


def test_every_template_exists_in_both_languages_and_is_tested_above():
    templates = settings.TEMPLATES[0]["DIRS"][0] / "notifications"
    names = {path.name for path in (templates / "en").iterdir()}
    assert names == {path.name for path in (templates / "zh-hans").iterdir()}
    assert {(name.split(".")[0], "en") for name in names} - TESTED_ELSEWHERE == {
        key for key in EXPECTED if key[1] == "en"}
