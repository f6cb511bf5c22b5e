"""Every major-incident notification template renders in both languages
(tests/notify/test_enqueue.py leaves them to this file)."""

from types import SimpleNamespace

import pytest

from opsdesk.core import outbox

from ..conftest import FROZEN_AT

MAJOR = SimpleNamespace(update_interval_minutes=30, update_due_at=FROZEN_AT, lifted_at=FROZEN_AT,
                        business_recovered_at=FROZEN_AT, cause="", summary="切换到备机")
MEMBER = SimpleNamespace(user="陈伟", get_role_display="技术负责人")
EXPECTED = {
    ("major_declared", "zh-hans"): ("重大事件已启动：网银系统登录缓慢", "- 陈伟 (技术负责人)"),
    ("major_declared", "en"): ("Major incident declared: 网银系统登录缓慢", "no plan: analyse"),
    ("major_update", "zh-hans"): ("重大事件进展通报：网银系统登录缓慢",
                                  "下次通报：2026-11-23 10:00"),
    ("major_update", "en"): ("Major incident update: 网银系统登录缓慢", "Next update: 2026-11-23"),
    ("major_update_due", "zh-hans"): ("请发布重大事件进展通报：网银系统登录缓慢",
                                      "应于 2026-11-23 10:00 发布"),
    ("major_update_due", "en"): ("Status update due: 网银系统登录缓慢",
                                 "was due at 2026-11-23 10:00"),
    ("major_report", "zh-hans"): ("重大事件报告：网银系统登录缓慢", "后续问题单：PRB-X"),
    ("major_report", "en"): ("Major-incident report: 网银系统登录缓慢", "Follow-up problem: PRB-X"),
    ("major_lifted", "zh-hans"): ("紧急状态已解除：网银系统登录缓慢",
                                  "处理过程与解决方法：切换到备机"),
    ("major_lifted", "en"): ("Emergency lifted: 网银系统登录缓慢",
                             "What was done:         切换到备机"),
}


@pytest.mark.parametrize(("template", "language"), EXPECTED)
def test_every_major_template_renders_in_both_languages(cast, template, language):
    incident = cast.log()
    context = {"incident": incident, "major": MAJOR, "reason": "交易中断", "team": [MEMBER],
               "plans": [], "services": [cast.service], "update": "定位中", "message": "",
               "author": cast.lead_wang, "due_at": FROZEN_AT, "recovery": "70 分钟",
               "problem": SimpleNamespace(number="PRB-X"), "report_link": "REPORT",
               "reference": incident.number, "link": "LINK"}

    subject, body = outbox.render(template, language, context)

    expected_subject, expected_phrase = EXPECTED[template, language]
    assert subject == expected_subject
    assert expected_phrase in body
    assert incident.number in body and body.rstrip().endswith("LINK")
    assert "{{" not in body and "{%" not in body and "&quot;" not in body
