import pytest

from .helpers import Desk


@pytest.fixture
def desk(cast):
    return Desk(cast)
