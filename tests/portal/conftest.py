"""The portal seen by the cast: requester_zhao (华信证券), a colleague of
hers, and outsider (another customer). Pages are in English unless a test
asks otherwise, so assertions do not depend on the Chinese catalogue."""

import pytest
from django.conf import settings

from opsdesk.core.choices import Role
from opsdesk.core.models import User

from ..console.conftest import as_user  # noqa: F401  (fixture)
from ..incidents.helpers import Desk
from ..notify.conftest import smtp_port, smtp_server  # noqa: F401  (fixtures)


@pytest.fixture
def visitor(client):
    """Nobody signed in yet, reading English."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def desk(cast):
    return Desk(cast)


@pytest.fixture
def colleague(cast):
    """Another requester of 华信证券."""
    return User.objects.create_user(
        username="requester_sun", password="pw-requester_sun", display_name="孙丽",
        role=Role.REQUESTER, customer=cast.customer, email="requester_sun@example.com",
    )


@pytest.fixture
def organisation_visible(cast):
    cast.customer.requesters_see_organisation = True
    cast.customer.save(update_fields=["requesters_see_organisation"])
    return cast.customer
