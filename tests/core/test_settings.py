"""Settings read from the environment fail fast on a bad value."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from opsdesk.settings import database_from_url, envbool, envint, envlist


def test_a_postgres_url_names_every_connection_detail():
    database = database_from_url("postgres://ops%40desk:s%3Acret@db.example.cn:6543/opsdesk"
                                 "?sslmode=require")
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["USER"], database["PASSWORD"]) == ("ops@desk", "s:cret")
    assert (database["HOST"], database["PORT"], database["NAME"]) == (
        "db.example.cn", "6543", "opsdesk")
    assert database["OPTIONS"] == {"sslmode": "require"}


def test_a_postgres_socket_directory_may_be_given_as_host_option():
    database = database_from_url("postgresql://opsdesk@/opsdesk?host=/run/postgresql")
    assert (database["HOST"], database["OPTIONS"]) == ("/run/postgresql", {})


def test_a_sqlite_url_is_a_file_with_queued_writers(tmp_path):
    database = database_from_url(f"sqlite:///{tmp_path}/data/ops.sqlite3")
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert Path(database["NAME"]) == tmp_path / "data" / "ops.sqlite3"
    assert (tmp_path / "data").is_dir()
    assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in database["OPTIONS"]["init_command"]
    assert Path(database["TEST"]["NAME"]) == tmp_path / "data" / "ops_test.sqlite3"


def test_an_unknown_database_is_refused():
    with pytest.raises(ImproperlyConfigured, match="mysql"):
        database_from_url("mysql://root@localhost/ops")


@pytest.mark.parametrize(("raw", "value"), [
    ("1", True), ("true", True), ("YES", True), ("on", True),
    ("0", False), ("false", False), ("No", False), ("off", False), ("", True),
])
def test_booleans(monkeypatch, raw, value):
    monkeypatch.setenv("OPSDESK_FLAG", raw)
    assert envbool("OPSDESK_FLAG", True) is value


def test_a_bad_boolean_is_refused(monkeypatch):
    monkeypatch.setenv("OPSDESK_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="OPSDESK_FLAG"):
        envbool("OPSDESK_FLAG", False)


def test_integers(monkeypatch):
    monkeypatch.setenv("OPSDESK_N", "48")
    assert envint("OPSDESK_N", 24) == 48
    monkeypatch.setenv("OPSDESK_N", "two days")
    with pytest.raises(ImproperlyConfigured, match="OPSDESK_N"):
        envint("OPSDESK_N", 24)
    monkeypatch.delenv("OPSDESK_N")
    assert envint("OPSDESK_N", 24) == 24


def test_lists(monkeypatch):
    monkeypatch.setenv("OPSDESK_HOSTS", " desk.example.cn, ,10.0.0.5 ")
    assert envlist("OPSDESK_HOSTS", []) == ["desk.example.cn", "10.0.0.5"]
    monkeypatch.delenv("OPSDESK_HOSTS")
    assert envlist("OPSDESK_HOSTS", ["localhost"]) == ["localhost"]


def _email_backend(tmp_path, **env) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("OPSDESK_EMAIL")}
    result = subprocess.run(
        [sys.executable, "-c", "import opsdesk.settings as s; print(s.EMAIL_BACKEND)"],
        env={**clean, "OPSDESK_VAR_DIR": str(tmp_path), **env},
        capture_output=True, text=True, check=True,
    )
    return result.stdout.strip()


def test_without_a_mail_server_mails_are_written_to_files(tmp_path):
    assert _email_backend(tmp_path).endswith("filebased.EmailBackend")


def test_a_configured_mail_server_is_used_over_smtp(tmp_path):
    backend = _email_backend(tmp_path, OPSDESK_EMAIL_HOST="mail.example.cn")
    assert backend.endswith("smtp.EmailBackend")
