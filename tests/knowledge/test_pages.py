"""The knowledge-base pages: staff search, write, edit and review in the
console; requesters read reviewed articles in the portal's frame; the
intake page and the portal suggest articles; the incident page records the
article used and writes an article from the resolved incident."""

import pytest
from django.conf import settings

from opsdesk.knowledge.models import Article, ArticleUse
from tests.api.conftest import in_progress, resolved

from .conftest import published, write


@pytest.fixture
def as_user(client):
    def sign_in(user, language="en"):
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        return client

    return sign_in


@pytest.fixture
def printer(cast):
    return published(cast.agent_li, cast.lead_wang, "打印机卡纸处理",
                     symptoms="办公室的打印机无法打印", solution="打开后盖取出卡纸")


def test_staff_search_the_knowledge_base_in_chinese(cast, as_user, printer):
    draft = write(cast.agent_li, "打印机驱动安装")
    page = as_user(cast.agent_li).get("/kb/", {"q": "打印机"})

    assert page.status_code == 200
    text = page.content.decode()
    assert printer.number in text and draft.number in text
    assert 'data-status="draft"' in text


def test_requesters_read_reviewed_articles_only(cast, as_user, printer):
    draft = write(cast.agent_li, "打印机驱动安装")
    client = as_user(cast.requester_zhao)

    listing = client.get("/kb/").content.decode()
    assert printer.number in listing and draft.number not in listing
    page = client.get(f"/kb/{printer.number}/")
    assert page.status_code == 200
    assert "打开后盖取出卡纸" in page.content.decode()
    assert 'data-testid="portal-my-tickets"' in page.content.decode()
    assert "李娜" not in page.content.decode()  # who wrote it is internal
    assert client.get(f"/kb/{draft.number}/").status_code == 404
    assert client.get("/kb/new/").status_code == 403


def test_an_agent_writes_a_draft_and_a_manager_approves_it(cast, as_user):
    client = as_user(cast.agent_li)
    response = client.post("/kb/new/", {
        "title": "VPN 无法连接", "language": "zh-hans", "cis": "vm-web-01",
        "services": "cloud-vm", "symptoms": "提示证书过期", "solution": "更新客户端证书",
    })
    article = Article.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/kb/{article.number}/"
    assert [ci.name for ci in article.cis.all()] == ["vm-web-01"]
    own_page = client.get(response["Location"]).content.decode()
    assert 'data-testid="approve"' not in own_page
    assert 'data-testid="awaiting-review"' in own_page

    manager = as_user(cast.lead_wang)
    assert 'data-testid="approve"' in manager.get(f"/kb/{article.number}/").content.decode()
    response = manager.post(f"/kb/{article.number}/review/",
                            {"decision": "approve", "version": article.version})
    assert response.status_code == 302
    assert Article.objects.get().status == "reviewed"


def test_bad_input_shows_errors_and_saves_nothing(cast, as_user):
    response = as_user(cast.agent_li).post("/kb/new/", {
        "title": "", "language": "zh-hans", "cis": "no-such-ci", "solution": ""})

    assert response.status_code == 422
    text = response.content.decode()
    assert 'data-testid="field-error-cis"' in text and "no-such-ci" in text
    assert 'data-testid="field-error-title"' in text
    assert Article.objects.count() == 0


def test_sending_back_without_a_note_is_refused_on_the_page(cast, as_user, printer):
    draft = write(cast.agent_li, "打印机驱动安装")
    response = as_user(cast.lead_wang).post(f"/kb/{draft.number}/review/",
                                            {"decision": "send_back", "version": 1})

    assert response.status_code == 422
    assert 'data-testid="review-error"' in response.content.decode()
    assert Article.objects.get(pk=draft.pk).version == 1


def test_editing_keeps_the_history_on_the_page(cast, as_user, printer):
    client = as_user(cast.agent_li)
    form = client.get(f"/kb/{printer.number}/edit/").content.decode()
    assert "打开后盖取出卡纸" in form

    response = client.post(f"/kb/{printer.number}/edit/", {
        "title": "打印机卡纸处理", "language": "zh-hans", "cis": "", "services": "",
        "symptoms": "办公室的打印机无法打印", "solution": "关机后打开后盖取出卡纸",
        "version": printer.version,
    })
    assert response.status_code == 302
    page = client.get(f"/kb/{printer.number}/").content.decode()
    assert 'data-kind="edited"' in page and "关机后打开后盖取出卡纸" in page
    assert 'data-status="draft"' in page


def test_engineers_cannot_edit_a_colleagues_article(cast, as_user, printer):
    assert as_user(cast.engineer_chen).get(f"/kb/{printer.number}/edit/").status_code == 403


def test_the_intake_page_suggests_articles_as_the_agent_types(cast, as_user, printer):
    client = as_user(cast.agent_li)
    page = client.get("/incidents/new/").content.decode()
    assert 'data-testid="article-suggestions"' in page

    panel = client.get("/kb/suggestions/", {"title": "打印机坏了", "symptoms": ""})
    assert f'data-number="{printer.number}"' in panel.content.decode()
    assert "suggested-article" not in client.get(
        "/kb/suggestions/", {"title": "网银登录缓慢"}).content.decode()


def test_the_portal_suggests_reviewed_articles_first(cast, as_user, printer):
    write(cast.agent_li, "打印机驱动安装")
    panel = as_user(cast.requester_zhao).get(
        "/portal/new/suggestions/", {"title": "打印机无法打印", "description": ""})

    text = panel.content.decode()
    assert text.count('data-testid="suggested-article"') == 1
    assert f'data-number="{printer.number}"' in text


def test_the_incident_page_records_the_article_used(cast, as_user):
    article = published(cast.agent_li, cast.lead_wang, "网银登录缓慢处理",
                        symptoms="网银登录需要一分钟以上", solution="清理会话缓存")
    incident = in_progress(cast)
    client = as_user(cast.engineer_chen)

    page = client.get(incident.get_absolute_url()).content.decode()
    assert f'data-testid="incident-suggestion" data-number="{article.number}"' in page
    response = client.post(f"/kb/incidents/{incident.number}/uses/",
                           {"article": article.number.lower()})
    assert response.status_code == 302
    assert ArticleUse.objects.get().article == article
    page = client.get(incident.get_absolute_url()).content.decode()
    assert 'data-testid="used-article"' in page
    assert "recorded a knowledge article as used" in page

    response = client.post(f"/kb/incidents/{incident.number}/uses/", {"article": "KB-99999"},
                           follow=True)
    assert "does not exist" in response.content.decode()
    assert ArticleUse.objects.count() == 1


def test_a_resolved_incident_becomes_an_article_with_one_button(cast, as_user):
    incident = resolved(cast)
    client = as_user(cast.engineer_chen)
    assert 'data-testid="article-from-incident"' in client.get(
        incident.get_absolute_url()).content.decode()

    response = client.post(f"/kb/incidents/{incident.number}/article/")

    article = Article.objects.get()
    assert response["Location"] == f"/kb/{article.number}/edit/"
    assert (article.reference, article.solution) == (incident.number, "扩容了数据盘")
    page = client.get(incident.get_absolute_url()).content.decode()
    assert 'data-testid="written-article"' in page
    assert 'data-testid="article-from-incident"' not in page
