"""The demo's contingency plan (应急预案): the core trading system of 华信证券,
with the contacts, steps and broadcast text its emergency team follows, and
the drill that tested it. An incident on the trading database, or on the data
centre network the trading service depends on, finds it."""

from dataclasses import replace
from datetime import timedelta

from opsdesk.core import clock
from opsdesk.core.models import ConfigurationItem, Service, User
from opsdesk.major import plans

AUTHOR = "lead_wang"

TRADING = plans.PlanDraft(
    name="核心交易系统应急预案",
    trigger_conditions="核心交易系统无法下单或成交回报中断超过 5 分钟；交易数据库 hx-trade-db-01 "
                       "不可用；两台交易应用服务器同时故障。",
    contacts=[("王芳", "事件经理（应急小组组长）", "13910000010"),
              ("陈伟", "二线系统组（技术负责人）", "13910000201"),
              ("何静", "三线专家组（数据库）", "13910000301"),
              ("黄工（华为）", "厂商支持", "4008302118")],
    steps=["确认故障范围：下单、成交回报、行情是否全部受影响",
           "通知华信证券运维值班和营业部，启动人工应急通报",
           "将交易流量切换到备机 hx-trade-app-02",
           "检查数据库 hx-trade-db-01 主从状态，必要时切换到从库",
           "验证下单与成交回报恢复，记录业务恢复时间",
           "保留日志与现场，移交问题管理分析根因"],
    communication_template="【重大事件通报】{incident} {title}\n影响服务：{services}\n"
                           "当前进展：{update}\n应急小组负责人：{commander}\n下次通报时间：{next_update}",
    aftermath="恢复后 24 小时内提交重大事件报告；问题经理组织根因分析。",
    safeguards="二线系统组与三线专家组 7×24 值班；每半年演练一次；备机与从库保持热备。",
)


def write_plans() -> None:
    author = User.objects.get(username=AUTHOR)
    draft = replace(TRADING, cis=list(ConfigurationItem.objects.filter(name="hx-trade-db-01")),
                    services=list(Service.objects.filter(code="core-trading")))
    plan = plans.create_plan(draft, actor=author, source="demo")
    plans.record_drill(plan, actor=author, source="demo",
                       held_on=clock.today_local() - timedelta(days=45),
                       participants="王芳、陈伟、何静、华为厂商支持", result="partly",
                       findings="备机切换用时 12 分钟，超过 10 分钟目标：切换脚本需预先授权。")
