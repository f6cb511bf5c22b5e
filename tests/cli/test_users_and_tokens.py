from django.conf import global_settings
from django.test import Client, override_settings

from opsdesk.core.choices import Role, Tier
from opsdesk.core.models import ApiToken, Customer, Team, User

from .conftest import opsdesk

DEFAULT_HASHERS = global_settings.PASSWORD_HASHERS


def test_createuser_then_token_create_gives_a_working_api_token(shared_db):
    desk = Team.objects.create(name="服务台", tier=Tier.SERVICE_DESK)
    env = {**shared_db, "OPSDESK_PASSWORD": "s3cret-pw"}

    created = opsdesk("createuser", "agent_li", "--role", "agent", "--team", "服务台",
                      "--email", "li@example.cn", "--display-name", "李娜", env=env)
    assert created.returncode == 0, created.stderr
    issued = opsdesk("token", "create", "--user", "agent_li", "--name", "ci", env=env)

    assert issued.returncode == 0, issued.stderr
    token = issued.stdout.strip()
    assert issued.stdout == token + "\n" and token.startswith("od_")
    user = User.objects.get(username="agent_li")
    assert (user.role, user.team, user.email, user.display_name) == (
        Role.AGENT, desk, "li@example.cn", "李娜")
    with override_settings(PASSWORD_HASHERS=DEFAULT_HASHERS):  # what the command used
        assert user.check_password("s3cret-pw") and not user.is_staff
    assert ApiToken.objects.get(user=user).name == "ci"
    response = Client().get("/api/v1/teams", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert response.json()[0]["name"] == "服务台"
    assert Client().get("/api/v1/teams", HTTP_AUTHORIZATION="Bearer od_wrong").status_code == 401


def test_createuser_admin_may_use_the_admin_site(shared_db):
    env = {**shared_db, "OPSDESK_PASSWORD": "s3cret-pw"}

    assert opsdesk("createuser", "root", "--role", "admin", env=env).returncode == 0

    admin = User.objects.get(username="root")
    assert admin.is_staff and admin.is_superuser


def test_createuser_for_a_requester_finds_the_customer_by_code(shared_db):
    customer = Customer.objects.create(name="华信证券", code="huaxin")
    env = {**shared_db, "OPSDESK_PASSWORD": "s3cret-pw"}

    result = opsdesk("createuser", "zhao", "--role", "requester", "--customer", "huaxin",
                     env=env)

    assert result.returncode == 0, result.stderr
    assert User.objects.get(username="zhao").customer == customer


def test_createuser_with_an_unknown_role_says_so_and_creates_nothing(shared_db):
    env = {**shared_db, "OPSDESK_PASSWORD": "s3cret-pw"}

    result = opsdesk("createuser", "someone", "--role", "wizard", env=env)

    assert result.returncode == 1
    assert "Unknown role “wizard”" in result.stderr and "incident_manager" in result.stderr
    assert not User.objects.exists()


def test_createuser_with_an_unknown_team_lists_the_known_ones(shared_db):
    Team.objects.create(name="二线系统组", tier=Tier.L2)
    env = {**shared_db, "OPSDESK_PASSWORD": "s3cret-pw"}

    result = opsdesk("createuser", "chen", "--role", "engineer", "--team", "二线网络组", env=env)

    assert result.returncode == 1
    assert "Unknown team “二线网络组”. Known teams: 二线系统组." in result.stderr
    assert not User.objects.exists()


def test_createuser_with_an_unknown_customer_creates_nothing(shared_db):
    env = {**shared_db, "OPSDESK_PASSWORD": "s3cret-pw"}

    result = opsdesk("createuser", "zhao", "--role", "requester", "--customer", "nobody",
                     env=env)

    assert result.returncode == 1 and "Unknown customer “nobody”" in result.stderr
    assert not User.objects.exists()


def test_createuser_refuses_an_existing_name(shared_db):
    User.objects.create_user(username="chen", password="old-pw")
    env = {**shared_db, "OPSDESK_PASSWORD": "new-pw"}

    result = opsdesk("createuser", "chen", "--role", "engineer", env=env)

    assert result.returncode == 1 and "already exists" in result.stderr
    assert User.objects.get(username="chen").check_password("old-pw")


def test_createuser_without_a_password_or_a_terminal_creates_nothing(shared_db):
    result = opsdesk("createuser", "someone", "--role", "agent", env=shared_db)

    assert result.returncode == 1 and "OPSDESK_PASSWORD" in result.stderr
    assert not User.objects.exists()


def test_token_create_for_an_unknown_user_prints_no_token(shared_db):
    result = opsdesk("token", "create", "--user", "ghost", env=shared_db)

    assert result.returncode == 1
    assert result.stdout == "" and "No active user named “ghost”" in result.stderr
    assert not ApiToken.objects.exists()
