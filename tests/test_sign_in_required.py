"""Every page and API endpoint of the newer apps asks who you are first."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/kb/", "/cmdb/", "/problems/", "/problems/known-errors/",
                                  "/portal/", "/me/notifications/"])
def test_pages_send_strangers_to_log_in(client, path):
    response = client.get(path)
    assert response.status_code == 302 and response.url.startswith("/login/"), path


@pytest.mark.parametrize("path", ["/api/v1/articles", "/api/v1/cis", "/api/v1/problems",
                                  "/api/v1/me/notification-settings"])
def test_the_api_answers_strangers_401(client, path):
    assert client.get(path).status_code == 401, path
