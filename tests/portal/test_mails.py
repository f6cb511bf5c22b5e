"""The portal's mails render in both languages, with their link last."""

import pytest

from opsdesk.core import outbox

EXPECTED = {
    ("signin_link", "zh-hans"): ("您的 OpsDesk 自助服务门户登录链接", "15 分钟内有效"),
    ("signin_link", "en"): ("Your sign-in link for the OpsDesk self-service portal",
                            "It works once, for 15 minutes."),
    ("survey_invitation", "zh-hans"): ("满意度调查：网银系统登录缓慢", "已关闭"),
    ("survey_invitation", "en"): ("How did we do? 网银系统登录缓慢", "is closed"),
    ("survey_reminder", "zh-hans"): ("提醒：满意度调查 网银系统登录缓慢", "唯一的一次提醒"),
    ("survey_reminder", "en"): ("Reminder: how did we do? 网银系统登录缓慢",
                                "This is the only reminder."),
}


@pytest.mark.parametrize(("template", "language"), EXPECTED)
def test_every_portal_mail_renders_in_both_languages(cast, template, language):
    incident = cast.log()
    subject, body = outbox.render(template, language, {
        "incident": incident, "reference": incident.number, "user": cast.requester_zhao,
        "minutes": 15, "link": "CONSOLE", "signin_url": "URL", "survey_url": "URL"})
    expected_subject, expected_phrase = EXPECTED[template, language]
    assert subject == expected_subject
    assert expected_phrase in body
    assert "URL" in body and "CONSOLE" not in body
    assert "{{" not in body and "{%" not in body and "&quot;" not in body
    if template.startswith("survey"):
        assert incident.number in body and body.rstrip().endswith("URL")
