"""The fixed cast every test uses (see STYLE.md): agent_li works the service
desk, engineer_chen is L2, lead_wang is the incident manager, requester_zhao
reports for 华信证券 (VIP), outsider is a requester of another customer."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.test import override_settings
from django.utils import translation
from hypothesis import settings as hypothesis_settings

from opsdesk.core.choices import CustomerClass, Role, Tier
from opsdesk.core.models import Category, ConfigurationItem, Customer, Service, Team, User
from opsdesk.incidents import actions

FROZEN_AT = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, a Monday

# Hypothesis fails an example that takes over 200 ms as "flaky"; on a loaded
# CI machine even a pure rule can be descheduled that long.
hypothesis_settings.register_profile("opsdesk", deadline=None)
hypothesis_settings.load_profile("opsdesk")


@pytest.fixture(autouse=True, scope="session")
def fast_password_hashing():
    """The default PBKDF2 costs ~0.3 s per user: the cast alone would take
    seconds per test. Hash strength is not what these tests are about."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def default_language():
    """The console's middleware leaves the last request's language active in
    the thread; each test starts in the default, as a fresh process does."""
    translation.deactivate()


def pytest_runtest_setup(item):
    # Races between connections need real row locks; SQLite serialises whole writes.
    if item.get_closest_marker("postgres_only") and connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://…)")


@pytest.fixture
def frozen():
    with time_machine.travel(FROZEN_AT, tick=False) as traveller:
        yield traveller


class Cast:
    def __init__(self):
        self.desk = Team.objects.create(name="服务台", tier=Tier.SERVICE_DESK)
        self.l1 = Team.objects.create(name="一线支持组", tier=Tier.L1)
        self.l2 = Team.objects.create(name="二线系统组", tier=Tier.L2)
        self.l3 = Team.objects.create(name="三线专家组", tier=Tier.L3)
        self.vendor = Team.objects.create(name="华为厂商支持", tier=Tier.VENDOR)
        self.customer = Customer.objects.create(
            name="华信证券", code="huaxin", customer_class=CustomerClass.VIP
        )
        self.other_customer = Customer.objects.create(name="明达物流", code="mingda")
        self.service = Service.objects.create(name="云主机服务", code="cloud-vm")
        self.ci = ConfigurationItem.objects.create(
            name="vm-web-01", ci_type="virtual_machine", service=self.service,
            customer=self.customer,
        )
        self.category = Category.objects.create(name="虚拟机磁盘变更")
        self.agent_li = self._user("agent_li", "李娜", Role.AGENT, self.desk)
        self.l1_engineer_zhou = self._user("engineer_zhou", "周强", Role.ENGINEER, self.l1)
        self.engineer_chen = self._user("engineer_chen", "陈伟", Role.ENGINEER, self.l2)
        self.l2_colleague_sun = self._user("engineer_sun", "孙磊", Role.ENGINEER, self.l2)
        self.lead_wang = self._user("lead_wang", "王芳", Role.INCIDENT_MANAGER, None)
        self.requester_zhao = self._user(
            "requester_zhao", "赵敏", Role.REQUESTER, None, customer=self.customer
        )
        self.outsider = self._user(
            "outsider", "钱多", Role.REQUESTER, None, customer=self.other_customer
        )
        self.leader_ma = self._user("leader_ma", "马总", Role.LEADERSHIP, None)

    @staticmethod
    def _user(username, name, role, team, customer=None):
        return User.objects.create_user(
            username=username, password="pw-" + username, display_name=name, role=role,
            team=team, customer=customer, email=f"{username}@example.com",
        )

    def log(self, actor=None, **overrides):
        """Log a phone-reported fault for requester_zhao through the real action."""
        fields = {
            "title": "网银系统登录缓慢",
            "description": "客户反映网银登录需要一分钟以上",
            "kind": "fault",
            "channel": "phone",
            "impact": "medium",
            "urgency": "high",
            "customer": self.customer,
            "requester": self.requester_zhao,
            "category": self.category,
            "ci": self.ci,
        }
        fields.update(overrides)
        return actions.log_incident(actor=actor or self.agent_li, source="web", **fields)


@pytest.fixture
def cast(db, frozen):
    return Cast()


@pytest.fixture
def tx_cast(transactional_db, django_db_serialized_rollback, frozen):
    """The cast committed for real, for tests that use several connections.
    Serialized rollback restores the rows migrations seed (the priority
    matrix), which the flush after each transactional test removes."""
    return Cast()
