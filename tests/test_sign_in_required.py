"""Every page and API endpoint of the newer apps asks who you are first."""

import re

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


def _every_route(patterns, prefix=""):
    from django.urls import URLResolver

    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _every_route(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


def _example_path(route: str) -> str | None:
    """The route with every parameter filled in; None for regex routes (the admin's)."""
    path = re.sub(r"<int:[^>]+>", "1", route)
    path = re.sub(r"<[^>]+>", "x", path)
    return None if re.search(r"[\^$()\[\]\\]", path) else "/" + path


# Pages a stranger must reach: signing in (to the console, the portal, the admin).
PUBLIC = {"/login/", "/portal/login/link/", "/portal/login/link/x/", "/admin/login/",
          "/admin/logout/", "/api/v1/"}


def test_no_route_serves_a_stranger():
    """Every route of every app, present and future: a stranger is sent to
    sign in (pages) or told 401 (API); nothing else answers them."""
    from django.test import Client
    from django.urls import get_resolver

    client = Client()
    checked = 0
    for route in sorted(set(_every_route(get_resolver().url_patterns))):
        path = _example_path(route)
        if path is None or path in PUBLIC:
            continue
        response = client.get(path, follow=True)
        landed = response.redirect_chain[-1][0] if response.redirect_chain else path
        signed_out = response.status_code == 200 and landed.split("?")[0] in PUBLIC
        assert signed_out or response.status_code in (401, 405), (path, response.status_code)
        checked += 1
    assert checked > 150
