import pytest

from ..console.conftest import as_user  # noqa: F401  (the console's signed-in client)
from .helpers import Desk


@pytest.fixture
def desk(cast):
    return Desk(cast)
