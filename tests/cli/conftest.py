"""Run the real `opsdesk` executable in a subprocess.

`shared_db` commits for real (transactional_db) and points the subprocess at
the test database, so what the command writes can be checked here with the
ORM and the Django test client, on SQLite and on PostgreSQL alike.
"""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

OPSDESK = Path(sys.executable).with_name("opsdesk")


def database_url(settings_dict: dict) -> str:
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(settings_dict['NAME']).resolve()}"
    credentials = quote(settings_dict["USER"])
    if settings_dict["PASSWORD"]:
        credentials += ":" + quote(settings_dict["PASSWORD"])
    host = settings_dict["HOST"] or "localhost"
    port = f":{settings_dict['PORT']}" if settings_dict["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{quote(settings_dict['NAME'])}"


def opsdesk(*args: str, env: dict, timeout: float = 300, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(OPSDESK), *args], env=env, capture_output=True, text=True, timeout=timeout,
        stdin=subprocess.DEVNULL, **kwargs,
    )


@pytest.fixture
def cli_env(tmp_path) -> dict:
    """An environment of its own: a private var/ and English messages."""
    env = {
        key: value for key, value in os.environ.items()
        if not key.startswith("OPSDESK_") and key != "DATABASE_URL"
    }
    env.update({
        "OPSDESK_VAR_DIR": str(tmp_path / "var"),
        "OPSDESK_SECRET_KEY": "cli-tests",
        "OPSDESK_LANGUAGE": "en",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'var' / 'opsdesk.sqlite3'}",
    })
    return env


@pytest.fixture
def shared_db(transactional_db, django_db_serialized_rollback, cli_env) -> dict:
    """cli_env pointed at this test's database."""
    return {**cli_env, "DATABASE_URL": database_url(connection.settings_dict)}
