import pytest

from .conftest import opsdesk


def test_help_lists_every_command(cli_env):
    result = opsdesk("--help", env=cli_env)

    assert result.returncode == 0
    for command in ("serve", "worker", "migrate", "createuser", "token", "demo"):
        assert command in result.stdout


@pytest.mark.parametrize("arguments", [
    ["frobnicate"],
    [],
    ["createuser", "someone"],
    ["token"],
    ["token", "create"],
    ["worker", "--interval", "-1"],
    ["serve", "--port", "eighty"],
])
def test_bad_arguments_exit_with_usage_and_status_2(cli_env, arguments):
    result = opsdesk(*arguments, env=cli_env)

    assert result.returncode == 2
    assert "usage: opsdesk" in result.stderr and "error:" in result.stderr


@pytest.mark.parametrize("arguments", [
    ["worker", "--once"],
    ["token", "create", "--user", "admin"],
    ["createuser", "admin", "--role", "admin"],
])
def test_commands_on_a_database_without_tables_ask_for_migrate(cli_env, arguments):
    result = opsdesk(*arguments, env={**cli_env, "OPSDESK_PASSWORD": "pw"})

    assert result.returncode == 1
    assert "Run “opsdesk migrate” first" in result.stderr
