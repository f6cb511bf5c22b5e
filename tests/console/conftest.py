import pytest
from django.conf import settings


@pytest.fixture
def as_user(client):
    """Sign the test client in as one of the cast and return it. Pages are in
    English unless asked otherwise, so assertions on messages do not depend on
    the state of the Chinese catalogue."""

    def sign_in(user, language="en"):
        client.force_login(user)
        if language:
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        return client

    return sign_in

