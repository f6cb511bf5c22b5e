"""Demo change management: a standard change template, changes in several
states, two next-week changes on the online-banking database and a web
server that depends on it in overlapping windows (a conflict the CAB sees),
a failed change that raised an incident, an emergency change not recorded
in time, and a blackout window. All through the real actions."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from opsdesk.changes import actions
from opsdesk.changes.models import StandardChange
from opsdesk.core import clock
from opsdesk.incidents import actions as incident_actions

from .organisation import Organisation

LOW_RISK = {"services": "one", "outage": "none", "users": "few", "experience": "routine",
            "testing": "full", "rollback": "tested"}
HIGH_RISK = {"services": "several", "outage": "full", "users": "most", "experience": "rare",
             "testing": "partial", "rollback": "slow"}
PLANS = {"implementation_plan": "1. 备份配置\n2. 按步骤实施\n3. 业务验证",
         "rollback_plan": "恢复备份配置并重启服务", "test_plan": "业务拨测 15 分钟"}


def _at(day, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def plant_changes(org: Organisation, now: datetime) -> None:
    users, cis, teams = org.users, org.cis, org.teams
    chen, sun, xu = users["engineer_chen"], users["engineer_sun"], users["change_manager_xu"]
    cab = [users["service_manager_zheng"], users["lead_wang"]]
    template, _created = StandardChange.objects.get_or_create(
        name="虚拟机内存扩容", defaults={
            "description": "在线为虚拟机增加内存，不停机", "implementer_team": teams["二线系统组"],
            "implementation_plan": "1. 检查宿主机余量\n2. 热添加内存\n3. 操作系统确认",
            "rollback_plan": "下一维护窗口内移除新增内存", "test_plan": "确认应用内存使用正常"})
    today = timezone.localdate(now)
    tuesday = today + timedelta(days=7 - today.weekday() + 1)

    def rfc(actor, title, items, start, hours, answers=LOW_RISK, **extra):
        return actions.create_change(
            actor=actor, source="demo", kind=extra.pop("kind", "normal"), title=title,
            reason=extra.pop("reason", "运维计划"), cis=[cis[name] for name in items],
            planned_start=start, planned_end=start + timedelta(hours=hours),
            risk_answers=answers, implementer_team=actor.team, customer=cis[items[0]].customer,
            **{**PLANS, **extra})

    def approve(change):
        change = actions.submit(change, actor=change.requested_by, source="demo",
                                expected_version=change.version)
        change = actions.assess(change, actor=xu, source="demo",
                                expected_version=change.version, approvers=cab)
        for member in cab:
            change = actions.vote(change, actor=member, source="demo", decision="approve",
                                  comment="同意")
        return actions.schedule(change, actor=xu, source="demo", expected_version=change.version)

    with clock.frozen_at(now - timedelta(days=8)):
        done = actions.create_change(
            actor=chen, source="demo", kind="standard", template=template,
            title="hx-web-vm-01 内存扩容到 32G", reason="网站高峰期内存不足",
            cis=[cis["hx-web-vm-01"]], planned_start=now - timedelta(days=7),
            planned_end=now - timedelta(days=7, hours=-1), customer=cis["hx-web-vm-01"].customer,
            and_submit=True)
        done = actions.schedule(done, actor=xu, source="demo", expected_version=done.version)
    with clock.frozen_at(now - timedelta(days=7)):
        done = actions.start(done, actor=chen, source="demo", expected_version=done.version)
        done = actions.complete(done, actor=chen, source="demo", expected_version=done.version,
                                text="扩容完成，监控正常")
    with clock.frozen_at(now - timedelta(days=6)):
        done = actions.review(done, actor=xu, source="demo", expected_version=done.version,
                              text="按标准变更完成，无业务影响")
        actions.close(done, actor=xu, source="demo", expected_version=done.version)

    with clock.frozen_at(now - timedelta(days=6)):
        failed = approve(rfc(chen, "hx-trade-db-01 数据库参数调优", ["hx-trade-db-01"],
                             now - timedelta(days=5), 2, answers=HIGH_RISK,
                             reason="交易高峰期数据库等待事件偏高"))
    with clock.frozen_at(now - timedelta(days=5)):
        failed = actions.start(failed, actor=chen, source="demo",
                               expected_version=failed.version)
        failed = actions.fail(failed, actor=chen, source="demo", expected_version=failed.version,
                              text="调整后连接数耗尽，交易报错")
        failed = actions.roll_back(failed, actor=chen, source="demo",
                                   expected_version=failed.version, text="已恢复原参数")
        actions.raise_incident(failed, actor=chen, source="demo")

    with clock.frozen_at(now - timedelta(days=1)):
        approve(rfc(users["engineer_he"], "网银数据库 RAC 补丁升级",
                               ["jn-ebank-db-rac1"], _at(tuesday, 22), 3, answers=HIGH_RISK,
                               reason="厂商发布安全补丁"))
        web = rfc(chen, "网银前端中间件升级", ["jn-ebank-web-01"], _at(tuesday, 23), 2,
                  reason="中间件版本到期")
        web = actions.submit(web, actor=chen, source="demo", expected_version=web.version)
        actions.assess(web, actor=xu, source="demo", expected_version=web.version,
                       approvers=cab, note="与数据库补丁窗口重叠，请 CAB 关注")
    rfc(sun, "办公网 VPN 设备固件升级", ["jn-core-sw-01"], _at(tuesday + timedelta(days=2), 21),
        2, reason="修复已知漏洞")
    actions.create_blackout(
        actor=xu, source="demo", name="核心交易系统季度结息封网",
        start=_at(tuesday + timedelta(days=4), 0), end=_at(tuesday + timedelta(days=6), 0),
        reason="季度结息期间禁止变更", services=[org.services["核心交易系统"]])
    _unrecorded_emergency(org, now)


def _unrecorded_emergency(org: Organisation, now: datetime) -> None:
    """A P1 outage two days ago fixed by an emergency change nobody recorded."""
    users, ci = org.users, org.cis["hx-trade-app-02"]
    desk, engineer = users["agent_li"], users["engineer_chen"]
    with clock.frozen_at(now - timedelta(days=2)):
        incident = incident_actions.log_incident(
            actor=desk, source="demo", title="hx-trade-app-02 交易服务无响应", kind="fault",
            channel="monitoring", impact="high", urgency="critical", ci=ci, service=ci.service,
            category=org.categories["应用系统故障"],
            customer=ci.customer, reporter_name="监控平台")
        incident = incident_actions.assign(incident, actor=desk, source="demo",
                                           expected_version=incident.version,
                                           team=engineer.team, assignee=engineer)
        incident = incident_actions.accept(incident, actor=engineer, source="demo",
                                           expected_version=incident.version)
        change = actions.log_emergency_change(actor=engineer, source="demo", incident=incident,
                                              title="紧急扩大交易服务线程池并重启")
    with clock.frozen_at(now - timedelta(days=2) + timedelta(minutes=40)):
        actions.complete(change, actor=engineer, source="demo",
                         expected_version=change.version, text="重启后交易恢复")
        incident_actions.resolve(incident, actor=engineer, source="demo",
                                 expected_version=incident.version, closure_code="successful",
                                 solution="紧急变更调整线程池后恢复", ci=ci,
                                 business_recovered_at=clock.now())
