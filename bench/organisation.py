"""A service-desk organisation of realistic size for the benchmarks: teams at
every tier with engineers, customers (one in ten VIP), services, CIs and the
seed-004 categories. Configuration rows, written once with bulk_create."""

from dataclasses import dataclass

from django.db import transaction

TIERS = ("service_desk", "l1", "l1", "l2", "l2", "l2", "l3", "l3", "onsite", "vendor")
TIER_NAMES = {"service_desk": "服务台", "l1": "一线支持", "l2": "二线支持", "l3": "三线专家",
              "onsite": "现场支持", "vendor": "厂商支持"}
CATEGORIES = ("资源配置变更", "虚拟机磁盘变更", "资源续租", "虚拟机申请", "物理机申请", "监控告警")
CITY = ("北京", "上海", "广州", "深圳", "杭州", "成都", "武汉", "南京", "西安", "天津")
TRADE = ("证券", "银行", "保险", "物流", "医药", "能源", "传媒", "制造", "零售", "教育")


@dataclass
class Organisation:
    """Id ranges of the rows made; each kind's ids are contiguous."""

    first_team: int
    teams: int
    first_engineer: int
    engineers_per_team: int
    first_customer: int
    customers: int
    first_service: int
    services: int
    first_ci: int
    cis_per_customer: int
    first_category: int
    categories: int
    team_names: list[str]
    usernames: list[str]
    customer_codes: list[str]
    ci_names: list[str]


def _contiguous(rows) -> int:
    ids = [row.pk for row in rows]
    if ids != list(range(ids[0], ids[0] + len(ids))):
        raise SystemExit("expected contiguous ids from bulk_create in a fresh database")
    return ids[0]


@transaction.atomic
def build(*, customers: int = 200, engineers_per_team: int = 8,
          cis_per_customer: int = 10) -> Organisation:
    from opsdesk.core.models import Category, ConfigurationItem, Customer, Service, Team, User

    teams = Team.objects.bulk_create(
        Team(name=f"{CITY[i % 10]}{TIER_NAMES[tier]}{i}组", tier=tier)
        for i, tier in enumerate(TIERS)
    )
    engineers = User.objects.bulk_create(
        User(username=f"eng{t:02d}_{n}", display_name=f"工程师{t}-{n}", team=team,
             role="agent" if team.tier == "service_desk" else "engineer")
        for t, team in enumerate(teams) for n in range(engineers_per_team)
    )
    customer_rows = Customer.objects.bulk_create(
        Customer(name=f"{CITY[i % 10]}{TRADE[i // 10 % 10]}{i}号公司", code=f"cust{i:04d}",
                 customer_class="vip" if i % 10 == 0 else "normal")
        for i in range(customers)
    )
    services = Service.objects.bulk_create(
        Service(name=f"服务{i:02d}", code=f"svc{i:02d}", owner_team=teams[3 + i % 3])
        for i in range(20)
    )
    cis = ConfigurationItem.objects.bulk_create(
        ConfigurationItem(name=f"vm-{c:04d}-{n:02d}", ci_type="virtual_machine",
                          customer=customer_rows[c], service=services[(c + n) % 20],
                          owner_team=teams[3 + n % 3])
        for c in range(customers) for n in range(cis_per_customer)
    )
    categories = Category.objects.bulk_create(Category(name=name) for name in CATEGORIES)
    return Organisation(
        first_team=_contiguous(teams), teams=len(teams),
        first_engineer=_contiguous(engineers), engineers_per_team=engineers_per_team,
        first_customer=_contiguous(customer_rows), customers=customers,
        first_service=_contiguous(services), services=len(services),
        first_ci=_contiguous(cis), cis_per_customer=cis_per_customer,
        first_category=_contiguous(categories), categories=len(categories),
        team_names=[t.name for t in teams], usernames=[u.username for u in engineers],
        customer_codes=[c.code for c in customer_rows], ci_names=[c.name for c in cis],
    )
