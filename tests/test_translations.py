"""The zh-Hans catalogue: Chinese is the default UI language, so every string
marked for translation must be translated, compiled into the shipped .mo and
actually shown. A string added to the source without a translation fails here
rather than surfacing as English in a Chinese console."""

import re
import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

import opsdesk
from opsdesk.incidents import actions

PACKAGE = Path(opsdesk.__file__).resolve().parent
CATALOGUE = PACKAGE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MAKEMESSAGES = "cd src/opsdesk && django-admin makemessages -l zh_Hans --settings=opsdesk.settings"
GETTEXT_TOOLS = ("xgettext", "msguniq", "msgmerge", "msgattrib")
# %(name)s, %s, %d …: a placeholder lost or renamed in a translation breaks
# the formatting at run time, in Chinese only.
PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[sdifr]")


def live(catalogue) -> list[polib.POEntry]:
    return [entry for entry in catalogue if not entry.obsolete]


def key(entry) -> tuple:
    return entry.msgctxt, entry.msgid, entry.msgid_plural


def messages(catalogue) -> dict:
    return {
        key(entry): tuple(sorted(entry.msgstr_plural.items())) if entry.msgid_plural
        else entry.msgstr
        for entry in live(catalogue)
    }


def translations(entry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


@pytest.fixture(scope="module")
def catalogue():
    return polib.pofile(str(CATALOGUE))


def test_the_catalogue_is_simplified_chinese_without_plural_forms(catalogue):
    assert catalogue.metadata["Language"] == "zh_Hans"
    assert catalogue.metadata["Plural-Forms"] == "nplurals=1; plural=0;"
    assert not catalogue.metadata_is_fuzzy


def test_every_message_is_translated_and_none_is_fuzzy(catalogue):
    assert [entry.msgid for entry in live(catalogue) if entry.fuzzy] == []
    untranslated = [entry.msgid for entry in live(catalogue)
                    if not all(text.strip() for text in translations(entry))]
    assert untranslated == []


def test_translations_keep_every_placeholder(catalogue):
    broken = [
        (entry.msgid, text) for entry in live(catalogue) if "python-format" in entry.flags
        for text in translations(entry)
        # Chinese has one plural form: it serves n = 1 too, with the plural's placeholders.
        if sorted(PLACEHOLDER.findall(text))
        != sorted(PLACEHOLDER.findall(entry.msgid_plural or entry.msgid))
    ]
    assert broken == []


def test_the_compiled_catalogue_matches_the_source(catalogue):
    compiled = polib.mofile(str(CATALOGUE.with_suffix(".mo")))
    assert messages(compiled) == messages(catalogue), (
        "django.mo is out of date: msgfmt --check -o django.mo django.po"
    )


@pytest.mark.skipif(not all(shutil.which(tool) for tool in GETTEXT_TOOLS),
                    reason="the gettext tools (xgettext, msgmerge) are not installed; "
                           "scripts/test installs them")
def test_every_string_marked_in_the_source_is_in_the_catalogue(catalogue, tmp_path,
                                                                monkeypatch):
    # makemessages writes into the locale directory of the tree it scans, so it
    # scans a copy: the test must never rewrite the real catalogue.
    copy = tmp_path / "opsdesk"
    shutil.copytree(PACKAGE, copy,
                    ignore=shutil.ignore_patterns("locale", "static", "__pycache__"))
    (copy / "locale").mkdir()
    monkeypatch.chdir(copy)
    with override_settings(LOCALE_PATHS=[copy / "locale"]):
        call_command("makemessages", locale=["zh_Hans"], verbosity=0)
    extracted = messages(polib.pofile(str(copy / "locale/zh_Hans/LC_MESSAGES/django.po")))
    catalogued = messages(catalogue)

    missing = sorted(msgid for _, msgid, _ in extracted.keys() - catalogued.keys())
    assert missing == [], (
        f"marked for translation but missing from the catalogue: run `{MAKEMESSAGES}` "
        "and translate the new entries"
    )
    stale = sorted(msgid for _, msgid, _ in catalogued.keys() - extracted.keys())
    assert stale == [], f"in the catalogue but no longer in the source: run `{MAKEMESSAGES}`"


def test_the_login_page_is_chinese_by_default(db, client):
    html = client.get(reverse("login")).content.decode()
    assert '<html lang="zh-hans">' in html
    for text in ("登录 OpsDesk", "用户名", "密码", ">登录</button>"):
        assert text in html, text


def test_a_form_error_in_the_console_is_chinese_by_default(cast, client):
    client.force_login(cast.agent_li)
    response = client.post(reverse("incidents:new"), {"channel": "phone"})
    html = response.content.decode()
    assert response.status_code == 422
    assert "这个字段是必填项。" in html
    for label in ("标题", "影响度", "紧急度", "渠道", "报告人电话"):
        assert f">{label}:</label>" in html, label


def test_a_refused_action_and_the_incident_page_are_chinese_by_default(cast, client):
    incident = cast.log()
    incident = actions.resolve(incident, actor=cast.lead_wang, source="web",
                               expected_version=incident.version,
                               closure_code="workaround", solution="重启应用服务",
                               problem="new")
    client.force_login(cast.agent_li)

    response = client.post(reverse("incidents:act", args=[incident.number, "close"]),
                           {"version": incident.version})

    html = response.content.decode()
    assert response.status_code == 409
    assert "该事件由用户报告：请记录请求人的确认或拒绝，不能直接关闭。" in html
    for text in ("已解决", "变通关闭", "需建立问题记录", "时间线", "登记了事件", "解决了事件",
                 "来源 控制台", "记录请求人确认", "记录请求人拒绝"):
        assert text in html, text


def test_an_api_error_is_chinese_by_default(cast, client):
    client.force_login(cast.agent_li)
    response = client.get("/api/v1/incidents/INC-20261123-9999")
    assert response.status_code == 404
    assert response.json()["message"] == "事件 INC-20261123-9999 不存在。"
