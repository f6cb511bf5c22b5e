"""A hand-built October 2026 for the monthly report tests: every figure the
tests expect can be counted by eye from `october()`."""

from dataclasses import dataclass

import pytest

from opsdesk.core.models import Category, ConfigurationItem
from opsdesk.incidents.models import Incident
from opsdesk.problems.models import Problem, ProblemIncident
from opsdesk.reports.monthly import MonthlyReport

from .kpi_helpers import Records, at


@dataclass
class October:
    repeated: list[Incident]  # three faults on vm-web-01, one category
    database: Incident  # db-01 in 张江, another category, a complaint
    duplicate: Incident
    workaround: Incident
    foreign: Incident  # 明达物流's, on its own CI
    problem: Problem  # linked to the workaround


def october(cast) -> October:
    records = Records(cast)
    cast.ci.location = "北京亦庄机房"
    cast.ci.save()
    database_ci = ConfigurationItem.objects.create(
        name="db-01", ci_type="virtual_machine", customer=cast.customer, location="上海张江机房")
    network = Category.objects.create(name="网络故障")
    repeated = [
        records.resolved(at(10, 5), 2, satisfaction_score=5,
                         ci=cast.ci, closed_at=at(10, 6)),
        records.resolved(at(10, 12), 3, priority=2, ci=cast.ci, resolve_breached=True,
                         closed_at=at(10, 13)),
        records.incident(at(10, 20), ci=cast.ci),
    ]
    database = records.resolved(at(10, 8), 1, ci=database_ci, category=network,
                                satisfaction_score=2, complaint_count=1, closed_at=at(10, 9))
    duplicate = records.incident(at(10, 21), ci=cast.ci, duplicate_of=repeated[2])
    workaround = records.resolved(at(10, 25), 4, ci=database_ci, category=network,
                                  closure_code="workaround", closed_at=at(10, 26),
                                  resolved_team=cast.l2, title="数据库连接池耗尽")
    foreign_ci = ConfigurationItem.objects.create(
        name="mingda-wms-01", ci_type="virtual_machine", customer=cast.other_customer,
        location="广州南沙仓库")
    foreign = records.resolved(at(10, 15), 1, customer=cast.other_customer, is_vip=False,
                               ci=foreign_ci, category=network, title="明达仓储系统宕机",
                               satisfaction_score=1, complaint_count=2,
                               closure_code="workaround", closed_at=at(10, 16))
    problem = records.problem(at(10, 26))
    ProblemIncident.objects.create(problem=problem, incident=workaround, reason="workaround",
                                   linked_at=at(10, 26))
    # Outside October: counts in no October figure.
    records.incident(at(9, 30, 23, 59), ci=cast.ci)
    records.incident(at(11, 1, 0, 0), ci=cast.ci)
    return October([Incident.objects.get(pk=i.pk) for i in repeated],
                   database, duplicate, workaround, foreign, problem)


def cells(report: MonthlyReport, key: str) -> list[tuple[str, ...]]:
    """A section's rows as the page shows them, every cell as text."""
    return [tuple("—" if cell is None else str(cell) for cell in row.cells)
            for row in report.section(key).rows]


def everything_shown(report: MonthlyReport) -> str:
    return "\n".join(" | ".join(row) for section in report.sections
                     for row in [section.columns, *cells(report, section.key)])


@pytest.fixture
def english(settings):
    settings.LANGUAGE_CODE = "en"
