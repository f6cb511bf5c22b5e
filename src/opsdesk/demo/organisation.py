"""The demo organisation: a managed-service provider's support groups, one
person per role, its customers with contracts, services, configuration items
and the category tree. Rows are created directly (there are no actions for
them yet) and looked up by name, so running this twice changes nothing."""

from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.hashers import make_password

from opsdesk.cmdb import actions as cmdb_actions
from opsdesk.core.choices import CustomerClass, Role, Tier
from opsdesk.core.models import (
    Category,
    ConfigurationItem,
    Contract,
    Customer,
    Service,
    Team,
    User,
)
from opsdesk.sla.models import BusinessCalendar, UnderpinningContract

DEMO_PASSWORD = "opsdesk"

TEAMS = [
    # name, tier, lead's username
    ("服务台", Tier.SERVICE_DESK, "agent_li"),
    ("一线支持组", Tier.L1, "engineer_zhou"),
    ("二线系统组", Tier.L2, "engineer_chen"),
    ("二线网络组", Tier.L2, "engineer_sun"),
    ("三线专家组", Tier.L3, "engineer_he"),
    ("现场支持组", Tier.ONSITE, "onsite_liu"),
    ("华为厂商支持", Tier.VENDOR, "vendor_huawei"),
    ("浪潮厂商支持", Tier.VENDOR, "vendor_inspur"),
]

# Underpinning contracts (支持合同): vendor, reference; per priority the
# minutes to respond and to resolve, and the calendar they count on.
VENDOR_CONTRACTS = [("华为厂商支持", "HW-UC-2025-031"), ("浪潮厂商支持", "LC-UC-2025-008")]
UC_TARGETS = [(1, 15, 240, "24x7"), (2, 30, 480, "24x7"), (3, 60, 960, "workdays"),
              (4, 120, 1920, "workdays")]

CUSTOMERS = [
    # name, code, class, contract number, contract title
    ("华信证券", "huaxin", CustomerClass.VIP, "HT-2025-0007", "华信证券数据中心运维服务合同"),
    ("江南城市商业银行", "jnbank", CustomerClass.VIP, "HT-2025-0012",
     "江南城商行网银及核心系统运维合同"),
    ("明达物流", "mingda", CustomerClass.NORMAL, "HT-2025-0031", "明达物流IT外包服务合同"),
    ("市第一人民医院", "city-hospital", CustomerClass.NORMAL, "HT-2025-0040",
     "市一院信息系统驻场运维合同"),
    ("恒远制造", "hengyuan", CustomerClass.NORMAL, "HT-2026-0003", "恒远制造云主机租赁及运维合同"),
]


@dataclass(frozen=True)
class Person:
    username: str
    display_name: str
    role: Role
    team: str | None = None
    customer: str | None = None
    phone: str = ""
    can_log_in: bool = True


PEOPLE = [
    Person("admin", "系统管理员", Role.ADMIN),
    Person("agent_li", "李娜", Role.AGENT, "服务台", phone="010-62880001"),
    Person("agent_zhang", "张婷", Role.AGENT, "服务台", phone="010-62880002"),
    Person("engineer_zhou", "周强", Role.ENGINEER, "一线支持组", phone="13910000101"),
    Person("engineer_chen", "陈伟", Role.ENGINEER, "二线系统组", phone="13910000201"),
    Person("engineer_sun", "孙磊", Role.ENGINEER, "二线网络组", phone="13910000202"),
    Person("engineer_he", "何静", Role.ENGINEER, "三线专家组", phone="13910000301"),
    Person("onsite_liu", "刘洋", Role.ENGINEER, "现场支持组", phone="13910000401"),
    Person("vendor_huawei", "黄工（华为）", Role.ENGINEER, "华为厂商支持", phone="4008302118"),
    Person("vendor_inspur", "吴工（浪潮）", Role.ENGINEER, "浪潮厂商支持", phone="4008600011"),
    Person("lead_wang", "王芳", Role.INCIDENT_MANAGER, phone="13910000010"),
    Person("problem_manager_gao", "高建国", Role.PROBLEM_MANAGER),
    Person("change_manager_xu", "徐丽", Role.CHANGE_MANAGER),
    Person("service_manager_zheng", "郑宏", Role.SERVICE_MANAGER),
    Person("director_feng", "冯志远", Role.OPS_DIRECTOR),
    Person("leader_ma", "马振华", Role.LEADERSHIP),
    Person("requester_zhao", "赵敏", Role.REQUESTER, customer="华信证券", phone="13801010001"),
    Person("requester_lin", "林晓", Role.REQUESTER, customer="江南城市商业银行",
           phone="13801010002"),
    Person("requester_qian", "钱浩", Role.REQUESTER, customer="明达物流", phone="13801010003"),
    Person("requester_hu", "胡静", Role.REQUESTER, customer="市第一人民医院", phone="13801010004"),
    # The monitoring platform posts alerts through the API with a token.
    Person("monitoring", "监控平台", Role.AGENT, "服务台", can_log_in=False),
]

SERVICES = [
    # name, code, owner team
    ("云主机服务", "cloud-vm", "二线系统组"),
    ("核心交易系统", "core-trading", "二线系统组"),
    ("网上银行", "e-banking", "二线系统组"),
    ("数据库服务", "database", "三线专家组"),
    ("数据中心网络", "dc-network", "二线网络组"),
    ("企业邮箱", "email", "一线支持组"),
    ("办公网络与VPN", "office-network", "二线网络组"),
    ("仓储管理系统", "wms", "二线系统组"),
    ("医院信息系统", "his", "现场支持组"),
    ("存储与备份", "backup", "三线专家组"),
    ("监控平台", "monitoring", "二线系统组"),
]

CONFIGURATION_ITEMS = [
    # name, type, owner team, service, customer
    ("hx-trade-app-01", "physical_server", "二线系统组", "核心交易系统", "华信证券"),
    ("hx-trade-app-02", "physical_server", "二线系统组", "核心交易系统", "华信证券"),
    ("hx-trade-db-01", "database", "三线专家组", "数据库服务", "华信证券"),
    ("hx-web-vm-01", "virtual_machine", "二线系统组", "云主机服务", "华信证券"),
    ("hx-web-vm-02", "virtual_machine", "二线系统组", "云主机服务", "华信证券"),
    ("hx-fw-01", "firewall", "二线网络组", "数据中心网络", "华信证券"),
    ("jn-ebank-web-01", "virtual_machine", "二线系统组", "网上银行", "江南城市商业银行"),
    ("jn-ebank-web-02", "virtual_machine", "二线系统组", "网上银行", "江南城市商业银行"),
    ("jn-ebank-db-rac1", "database", "三线专家组", "数据库服务", "江南城市商业银行"),
    ("jn-core-sw-01", "network_device", "二线网络组", "数据中心网络", "江南城市商业银行"),
    ("jn-mail-01", "virtual_machine", "一线支持组", "企业邮箱", "江南城市商业银行"),
    ("md-wms-app-01", "virtual_machine", "二线系统组", "仓储管理系统", "明达物流"),
    ("md-wms-db-01", "database", "三线专家组", "数据库服务", "明达物流"),
    ("md-sh-line-01", "leased_line", "二线网络组", "办公网络与VPN", "明达物流"),
    ("md-nas-01", "storage", "二线系统组", "存储与备份", "明达物流"),
    ("hosp-his-app-01", "physical_server", "现场支持组", "医院信息系统", "市第一人民医院"),
    ("hosp-his-db-01", "database", "三线专家组", "数据库服务", "市第一人民医院"),
    ("hosp-pacs-stor-01", "storage", "现场支持组", "存储与备份", "市第一人民医院"),
    ("hosp-access-sw-03", "network_device", "二线网络组", "办公网络与VPN", "市第一人民医院"),
    ("hy-erp-vm-01", "virtual_machine", "二线系统组", "云主机服务", "恒远制造"),
    ("hy-oa-vm-01", "virtual_machine", "二线系统组", "云主机服务", "恒远制造"),
    ("hy-vpn-gw-01", "firewall", "二线网络组", "办公网络与VPN", "恒远制造"),
    ("dc-core-sw-01", "network_device", "二线网络组", "数据中心网络", None),
    ("dc-esxi-07", "physical_server", "二线系统组", "云主机服务", None),
    ("dc-oceanstor-01", "storage", "三线专家组", "存储与备份", None),
    ("zabbix-prod-01", "virtual_machine", "二线系统组", "监控平台", None),
]

# Beyond “each item is part of its service” (from the list above); read as
# “source kind target”, names of items or of services.
RELATIONSHIPS = [
    ("hx-web-vm-01", "runs_on", "dc-esxi-07"),
    ("hx-web-vm-02", "runs_on", "dc-esxi-07"),
    ("hy-erp-vm-01", "runs_on", "dc-esxi-07"),
    ("hy-oa-vm-01", "runs_on", "dc-esxi-07"),
    ("dc-esxi-07", "depends_on", "dc-oceanstor-01"),
    ("dc-esxi-07", "connected_to", "dc-core-sw-01"),
    ("hx-trade-app-01", "depends_on", "hx-trade-db-01"),
    ("hx-trade-app-02", "depends_on", "hx-trade-db-01"),
    ("hx-trade-app-01", "connected_to", "hx-fw-01"),
    ("jn-ebank-web-01", "depends_on", "jn-ebank-db-rac1"),
    ("jn-ebank-web-02", "depends_on", "jn-ebank-db-rac1"),
    ("jn-ebank-web-01", "connected_to", "jn-core-sw-01"),
    ("md-wms-app-01", "depends_on", "md-wms-db-01"),
    ("hosp-his-app-01", "depends_on", "hosp-his-db-01"),
    ("云主机服务", "depends_on", "数据中心网络"),
    ("核心交易系统", "depends_on", "数据中心网络"),
    ("网上银行", "depends_on", "数据中心网络"),
]

# Seed 004's request categories first, then the fault categories; (parent, child).
CATEGORIES = [
    ("资源配置变更", None),
    ("虚拟机磁盘变更", None),
    ("资源续租", None),
    ("虚拟机申请", None),
    ("物理机申请", None),
    ("监控告警", None),
    ("服务器硬件故障", None),
    ("网络故障", None),
    ("网络故障", "专线中断"),
    ("网络故障", "防火墙策略"),
    ("应用系统故障", None),
    ("数据库故障", None),
    ("存储与备份故障", None),
    ("账号与权限", None),
    ("咨询", None),
]


@dataclass
class Organisation:
    teams: dict[str, Team] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    customers: dict[str, Customer] = field(default_factory=dict)
    services: dict[str, Service] = field(default_factory=dict)
    cis: dict[str, ConfigurationItem] = field(default_factory=dict)
    categories: dict[str, Category] = field(default_factory=dict)

    def members(self, team_name: str) -> list[User]:
        team = self.teams[team_name]
        return [user for user in self.users.values() if user.team_id == team.pk
                and user.username != "monitoring"]

    def requesters_of(self, customer: Customer | None) -> list[User]:
        if customer is None:
            return []
        return [user for user in self.users.values()
                if user.role == Role.REQUESTER and user.customer_id == customer.pk]


def build_organisation(today: date) -> Organisation:
    org = Organisation()
    # One hash for every demo login: hashing is deliberately slow (PBKDF2),
    # and the password is published in the README anyway.
    password_hash = make_password(DEMO_PASSWORD)
    for name, tier, _lead in TEAMS:
        org.teams[name], _ = Team.objects.get_or_create(name=name, defaults={"tier": tier})
    calendars = {row.code: row for row in BusinessCalendar.objects.all()}
    for vendor, reference in VENDOR_CONTRACTS:
        for priority, response, resolution, calendar in UC_TARGETS:
            UnderpinningContract.objects.get_or_create(
                vendor=org.teams[vendor], priority=priority, defaults={
                    "reference": reference, "response_minutes": response,
                    "resolution_minutes": resolution, "calendar": calendars[calendar]})
    for name, code, customer_class, number, title in CUSTOMERS:
        customer, _ = Customer.objects.get_or_create(
            name=name, defaults={"code": code, "customer_class": customer_class}
        )
        org.customers[name] = customer
        Contract.objects.get_or_create(number=number, defaults={
            "customer": customer, "title": title,
            "starts_on": date(today.year - 1, 1, 1), "ends_on": date(today.year + 1, 12, 31),
        })
    for person in PEOPLE:
        org.users[person.username] = _user(person, org, password_hash)
    for name, _tier, lead in TEAMS:
        team = org.teams[name]
        if team.lead_id is None:
            team.lead = org.users[lead]
            team.save(update_fields=["lead"])
    for name, code, owner in SERVICES:
        org.services[name], _ = Service.objects.get_or_create(
            name=name, defaults={"code": code, "owner_team": org.teams[owner],
                                 "description": name}
        )
    for contract in Contract.objects.filter(customer__in=org.customers.values()):
        contract.services.add(*_services_of(contract.customer, org))
    for name, ci_type, owner, service, customer in CONFIGURATION_ITEMS:
        org.cis[name], _ = ConfigurationItem.objects.get_or_create(name=name, defaults={
            "ci_type": ci_type, "owner_team": org.teams[owner], "service": org.services[service],
            "customer": org.customers[customer] if customer else None,
        })
    _relate_items(org)
    for parent, child in CATEGORIES:
        if child is None:
            org.categories[parent], _ = Category.objects.get_or_create(name=parent, parent=None)
        else:
            org.categories[child], _ = Category.objects.get_or_create(
                name=child, parent=org.categories[parent]
            )
    return org


def _relate_items(org: Organisation) -> None:
    """Each service becomes a business-service item, each item part of its
    service, plus RELATIONSHIPS: enough for the CI page and impact analysis."""
    items = dict(org.cis)
    for name, service in org.services.items():
        items[name] = cmdb_actions.service_item(service, actor=None, source="demo")
    edges = [(name, "part_of", service) for name, _type, _owner, service, _customer
             in CONFIGURATION_ITEMS] + RELATIONSHIPS
    for source, kind, target in edges:
        cmdb_actions.relate(items[source], kind, items[target], actor=None, source="demo")


def _user(person: Person, org: Organisation, password_hash: str) -> User:
    """Create the demo login; an existing account of that name is left alone."""
    user = User.objects.filter(username=person.username).first()
    if user is not None:
        return user
    user = User(
        username=person.username,
        display_name=person.display_name,
        role=person.role,
        team=org.teams[person.team] if person.team else None,
        customer=org.customers[person.customer] if person.customer else None,
        email=f"{person.username}@opsdesk.example.cn",
        phone=person.phone,
        is_staff=person.role == Role.ADMIN,
        is_superuser=person.role == Role.ADMIN,
    )
    if person.can_log_in:
        user.password = password_hash
    else:
        user.set_unusable_password()
    user.save()
    return user


def _services_of(customer: Customer, org: Organisation) -> set[Service]:
    return {
        org.services[service]
        for _name, _type, _owner, service, owner_customer in CONFIGURATION_ITEMS
        if owner_customer == customer.name
    }
