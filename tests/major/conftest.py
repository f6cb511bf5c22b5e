"""Management joins the cast; the CMDB gets business-service items so that
plans can be found through the impact walk: vm-web-01 is part of 云主机服务,
and 网上银行 depends on vm-web-01."""

from datetime import timedelta

import pytest

from opsdesk.cmdb import actions as cmdb_actions
from opsdesk.core.choices import Role
from opsdesk.core.models import Service
from opsdesk.major import actions, plans

from ..console.conftest import as_user  # noqa: F401  (the console tests' signed-in client)

P1 = {"impact": "high", "urgency": "critical"}


@pytest.fixture
def crew(cast):
    cast.service_manager_zheng = cast._user("service_manager_zheng", "郑宏", Role.SERVICE_MANAGER,
                                            None)
    cast.director_feng = cast._user("director_feng", "冯志远", Role.OPS_DIRECTOR, None)
    cast.problem_manager_gao = cast._user("problem_manager_gao", "高建国", Role.PROBLEM_MANAGER,
                                          None)
    cast.admin = cast._user("admin", "管理员", Role.ADMIN, None)
    cast.ebanking = Service.objects.create(name="网上银行", code="e-banking")
    cloud_item = cmdb_actions.service_item(cast.service, actor=None, source="test")
    ebanking_item = cmdb_actions.service_item(cast.ebanking, actor=None, source="test")
    cmdb_actions.relate(cast.ci, "part_of", cloud_item, actor=None, source="test")
    cmdb_actions.relate(ebanking_item, "depends_on", cast.ci, actor=None, source="test")
    return cast


def make_plan(cast, name="云主机应急预案", *, cis=(), services=(), steps=None, template=""):
    return plans.create_plan(plans.PlanDraft(
        name=name, trigger_conditions="云主机大面积不可用", cis=list(cis), services=list(services),
        contacts=[("王芳", "事件经理", "13910000010")],
        steps=steps or ["确认影响范围", "切换到备用主机", "验证业务恢复"],
        communication_template=template), actor=cast.lead_wang, source="web")


def declare(cast, incident=None, *, actor=None, **fields):
    values = {"reason": "核心业务中断，影响多家客户", "commander": None,
              "team": [(cast.engineer_chen, "technical_lead")]}
    values.update(fields)
    return actions.declare(incident or cast.log(**P1), actor=actor or cast.lead_wang,
                           source="web", **values)


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)
