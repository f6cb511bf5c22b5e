import pytest
from django.urls import reverse


def console_urls(number):
    return [
        reverse("incidents:queue"),
        reverse("incidents:new"),
        reverse("incidents:duplicates"),
        reverse("incidents:priority"),
        reverse("incidents:detail", args=[number]),
        reverse("incidents:search") + "?q=x",
        reverse("incidents:monitor"),
    ]


def test_the_root_opens_the_queue(cast, as_user):
    response = as_user(cast.agent_li).get("/")
    assert response.status_code == 302
    assert response.url == reverse("incidents:queue")


def test_every_console_page_requires_login(cast, client):
    incident = cast.log()
    for url in console_urls(incident.number):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login") + "?next="), url


def test_actions_require_login_and_change_nothing(cast, client):
    incident = cast.log()
    url = reverse("incidents:act", args=[incident.number, "accept"])
    response = client.post(url, {"version": incident.version})
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    incident.refresh_from_db()
    assert incident.version == 1


def test_requester_is_turned_away_from_every_console_page(cast, as_user):
    incident = cast.log()  # requester_zhao's own ticket
    client = as_user(cast.requester_zhao)
    for url in console_urls(incident.number):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "The agent console is for service-desk staff" in response.content.decode()
    response = client.post(reverse("incidents:act", args=[incident.number, "comment"]),
                           {"version": 1, "body": "hello"})
    assert response.status_code == 403


def test_login_page_signs_an_agent_in_and_lands_on_the_queue(cast, client):
    page = client.get(reverse("login"))
    assert page.status_code == 200
    response = client.post(reverse("login"), {"username": "agent_li",
                                               "password": "pw-agent_li"})
    assert response.status_code == 302
    assert response.url == reverse("incidents:queue")
    assert client.get(response.url).status_code == 200


def test_logout_signs_out(cast, as_user):
    client = as_user(cast.agent_li)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("incidents:queue")).status_code == 302


def test_unknown_incident_is_404(cast, as_user):
    response = as_user(cast.agent_li).get(reverse("incidents:detail",
                                                  args=["INC-20261123-9999"]))
    assert response.status_code == 404


@pytest.mark.parametrize("language, expected", [("en", "This field is required."),
                                                ("zh-hans", "这个字段是必填项。")])
def test_language_switch_changes_the_ui_and_is_remembered(cast, as_user, language, expected):
    client = as_user(cast.agent_li, language=None)
    response = client.post(reverse("set_language"),
                           {"language": language, "next": reverse("incidents:new")})
    assert response.status_code == 302 and response.url == reverse("incidents:new")
    page = client.post(reverse("incidents:new"), {"channel": "phone", "kind": "fault"})
    html = page.content.decode()
    assert f'<html lang="{language}">' in html
    assert expected in html
    cast.agent_li.refresh_from_db()
    assert cast.agent_li.language == language


def test_chinese_is_the_default_language(cast, as_user):
    client = as_user(cast.agent_li, language=None)
    html = client.post(reverse("incidents:new"), {}).content.decode()
    assert '<html lang="zh-hans">' in html
    assert "这个字段是必填项。" in html
