"""What the demo incidents are about: believable faults, service requests and
alerts of a managed-service provider, each with the CIs it can concern, the
support groups it travels through and how it is usually solved.

Placeholders filled per incident: {ci} the CI's name, {pct} a percentage,
{size} a disk size in GB, {count} a small count, {person} a colleague's
name, {place} a floor or branch.
"""

from dataclasses import dataclass

from opsdesk.incidents.choices import Kind

HIGH, MEDIUM, LOW = "high", "medium", "low"
CRITICAL = "critical"


@dataclass(frozen=True)
class Template:
    kind: Kind
    category: str
    ci_types: tuple[str, ...]
    title: str
    description: str
    solution: str
    workaround: str
    # (impact, urgency) pairs this kind of ticket usually gets.
    ratings: tuple[tuple[str, str], ...]
    # Support groups the ticket is dispatched through, first to last.
    route: tuple[str, ...]
    system_type: str = ""
    failure_vendor: str = ""


FAULTS = [
    Template(
        Kind.FAULT, "应用系统故障", ("virtual_machine",),
        "网上银行登录缓慢，页面加载超过{count}0秒",
        "{place}多名柜员及客户反映网银登录页面长时间转圈，部分用户提示“会话超时”。"
        "故障从上午开盘后开始，影响面在扩大。",
        "定位为 {ci} 上应用连接池配置过小导致排队，已将最大连接数由 50 调整为 200 并滚动重启，"
        "登录耗时恢复到 2 秒以内。",
        "临时重启 {ci} 应用服务后恢复，连接池耗尽的根因待问题管理分析。",
        ((HIGH, HIGH), (MEDIUM, HIGH), (HIGH, CRITICAL)),
        ("一线支持组", "二线系统组"), system_type="网上银行",
    ),
    Template(
        Kind.FAULT, "应用系统故障", ("physical_server",),
        "核心交易系统下单接口超时",
        "交易员来电：委托下单后 {count} 秒才返回，偶发“系统繁忙，请稍后再试”。"
        "行情推送正常，仅下单链路受影响。",
        "{ci} 的交易网关线程池被慢查询占满，已优化相关 SQL 并扩容线程池，压测通过。",
        "切换到备机 hx-trade-app-02 承载交易，主机 {ci} 隔离待查。",
        ((HIGH, CRITICAL), (HIGH, HIGH)),
        ("二线系统组", "三线专家组"), system_type="核心交易系统",
    ),
    Template(
        Kind.FAULT, "数据库故障", ("database",),
        "数据库连接数打满，应用报 ORA-00020",
        "应用日志大量出现 ORA-00020: maximum number of processes exceeded，"
        "{ci} 当前会话数接近上限，新业务无法建立连接。",
        "查明为批处理作业未释放连接，已终止异常会话并修复作业的连接关闭逻辑，"
        "processes 参数调至 1500。",
        "手工清理空闲会话后业务恢复，作业代码缺陷已转问题管理。",
        ((HIGH, HIGH), (HIGH, CRITICAL), (MEDIUM, HIGH)),
        ("二线系统组", "三线专家组"), system_type="Oracle",
    ),
    Template(
        Kind.FAULT, "数据库故障", ("database",),
        "{ci} 主从复制中断",
        "巡检发现 {ci} 从库 IO 线程停止，Seconds_Behind_Master 为 NULL，报表查询数据停留在昨日。",
        "主库 binlog 被提前清理，已用最新全备重建从库并恢复复制，延迟归零。",
        "报表临时切到主库只读账号查询，从库重建排期在维护窗口。",
        ((MEDIUM, MEDIUM), (MEDIUM, HIGH)),
        ("三线专家组",), system_type="MySQL",
    ),
    Template(
        Kind.FAULT, "服务器硬件故障", ("physical_server",),
        "{ci} 硬盘故障，RAID 降级",
        "带外管理告警：{ci} 槽位 {count} 硬盘状态 Failed，RAID5 进入降级状态，业务暂未中断。",
        "厂商上门更换故障硬盘，RAID 重建完成，带外告警消除。",
        "已将业务迁移至同集群其他主机，待备件到货后更换硬盘。",
        ((MEDIUM, HIGH), (HIGH, HIGH)),
        ("现场支持组", "华为厂商支持"), system_type="x86 服务器", failure_vendor="华为",
    ),
    Template(
        Kind.FAULT, "服务器硬件故障", ("physical_server",),
        "{ci} 电源模块告警",
        "机房巡检发现 {ci} 电源 PSU2 指示灯橙色，BMC 日志提示输入电压丢失。",
        "更换电源模块后双路供电恢复，已确认 PDU 插座正常。",
        "临时改接另一路 PDU，单电源运行，已提醒厂商备件。",
        ((LOW, MEDIUM), (MEDIUM, MEDIUM)),
        ("现场支持组", "浪潮厂商支持"), system_type="x86 服务器", failure_vendor="浪潮",
    ),
    Template(
        Kind.FAULT, "专线中断", ("leased_line",),
        "专线中断：总部至上海仓库",
        "{place}仓库反馈 WMS 无法访问，ping 总部网关全部丢包，运营商专线 {ci} 疑似中断。",
        "运营商确认光缆被施工挖断，抢修熔接后专线恢复，已补签故障报告。",
        "临时启用 4G 备份链路，仅保障 WMS 访问，专线恢复后切回。",
        ((HIGH, CRITICAL), (HIGH, HIGH)),
        ("二线网络组",), system_type="运营商专线", failure_vendor="中国电信",
    ),
    Template(
        Kind.FAULT, "防火墙策略", ("firewall",),
        "防火墙策略调整后 DMZ 区网站无法访问",
        "昨晚变更窗口调整了 {ci} 的访问策略，今早客户反映官网和 API 网关 502。",
        "策略顺序错误导致放行规则被拒绝规则覆盖，已调整顺序并补充回退预案。",
        "临时回退到变更前配置，网站恢复；变更方案需重新评审。",
        ((HIGH, HIGH), (MEDIUM, HIGH)),
        ("二线网络组",), system_type="防火墙",
    ),
    Template(
        Kind.FAULT, "网络故障", ("network_device",),
        "{place}办公网频繁断线",
        "{place}约 {count}0 名员工反映网络每隔几分钟断开一次，无线和有线都有，"
        "接入交换机 {ci} 端口日志大量 up/down。",
        "排查为环路：会议室私接小交换机，已关闭该端口并开启环路检测。",
        "临时关闭可疑端口后恢复，私接设备排查未完成。",
        ((MEDIUM, HIGH), (MEDIUM, MEDIUM)),
        ("一线支持组", "二线网络组"), system_type="园区网络",
    ),
    Template(
        Kind.FAULT, "网络故障", ("firewall",),
        "VPN 拨号成功但无法访问内网系统",
        "出差员工 {person} 来电：VPN 客户端显示已连接，但打不开 OA 和 ERP，ping 内网地址超时。",
        "VPN 地址池与分支机构网段冲突，已调整 {ci} 的地址池并下发路由。",
        "为该用户分配固定地址临时规避，地址池规划待调整。",
        ((LOW, HIGH), (LOW, MEDIUM)),
        ("一线支持组", "二线网络组"), system_type="VPN",
    ),
    Template(
        Kind.FAULT, "应用系统故障", ("virtual_machine",),
        "邮件外发退信 550 relay not permitted",
        "{person}反映发给外部客户的邮件全部退信，内部邮件正常，退信代码 550。",
        "出口网关 IP 被列入反垃圾黑名单，已申请解封并在 {ci} 上补充 SPF/DKIM 记录。",
        "临时改走备用出口发信，黑名单解封申请中。",
        ((MEDIUM, MEDIUM), (MEDIUM, HIGH)),
        ("一线支持组", "二线系统组"), system_type="企业邮箱",
    ),
    Template(
        Kind.FAULT, "应用系统故障", ("virtual_machine",),
        "仓储管理系统打印面单乱码",
        "{place}仓库打印的快递面单收件人地址显示为问号和方块，影响今日出库约 {count}00 单。",
        "WMS 升级后打印模板字体缺失，已在 {ci} 上安装中文字体并重新发布模板。",
        "临时改用手工面单出库，模板修复排期中。",
        ((MEDIUM, HIGH), (HIGH, HIGH)),
        ("二线系统组",), system_type="仓储管理系统",
    ),
    Template(
        Kind.FAULT, "应用系统故障", ("physical_server",),
        "HIS 门诊挂号模块报错 500",
        "门诊挂号窗口点击“确认挂号”提示服务器内部错误，已影响 {count} 个窗口，排队患者增多。",
        "{ci} 上应用日志显示磁盘写满导致会话文件无法写入，已清理日志并配置轮转。",
        "清理临时文件后恢复挂号，日志轮转策略待问题管理跟进。",
        ((HIGH, CRITICAL), (HIGH, HIGH)),
        ("现场支持组", "二线系统组"), system_type="医院信息系统",
    ),
    Template(
        Kind.FAULT, "账号与权限", ("virtual_machine",),
        "OA 账号被锁定，无法登录",
        "{person}来电：多次输错密码后 OA 账号被锁定，急需审批合同。",
        "核实身份后已解锁账号并重置密码，提醒用户开启短信验证。",
        "临时由其上级代为审批，账号解锁流程已走完。",
        ((LOW, HIGH), (LOW, MEDIUM)),
        ("服务台",), system_type="OA",
    ),
    Template(
        Kind.FAULT, "存储与备份故障", ("storage",),
        "{ci} 夜间备份任务失败",
        "备份报表显示 {ci} 昨晚全量备份失败，错误信息：介质服务器连接超时。",
        "介质服务器磁盘空间不足，已清理过期备份集并调整保留策略，补做全备成功。",
        "手工补做一次增量备份，保留策略调整待评审。",
        ((MEDIUM, MEDIUM), (LOW, MEDIUM)),
        ("三线专家组",), system_type="备份系统",
    ),
]

REQUESTS = [
    Template(
        Kind.SERVICE_REQUEST, "虚拟机申请", ("virtual_machine",),
        "申请新建虚拟机 {count} 台（测试环境，4核8G）",
        "因新版本联调需要，申请在测试资源池新建 {count} 台 CentOS 7.9 虚拟机，4核8G，系统盘 100G，"
        "使用期三个月，审批单已由{person}签字。",
        "已按申请规格交付虚拟机，IP 和初始密码已通过邮件发送申请人。",
        "资源池余量不足，先交付一台，其余待扩容后补交付。",
        ((LOW, MEDIUM), (LOW, LOW)),
        ("二线系统组",), system_type="云主机",
    ),
    Template(
        Kind.SERVICE_REQUEST, "虚拟机磁盘变更", ("virtual_machine",),
        "{ci} 数据盘扩容 {size}G",
        "业务数据增长，{ci} 的 /data 使用率已到 {pct}%，申请在线扩容 {size}G。",
        "已在线扩容并扩展文件系统，df 显示容量生效，业务无中断。",
        "在线扩容失败，已新增一块数据盘挂载到 /data2，待窗口期合并。",
        ((LOW, MEDIUM), (MEDIUM, MEDIUM)),
        ("二线系统组",), system_type="云主机",
    ),
    Template(
        Kind.SERVICE_REQUEST, "资源配置变更", ("virtual_machine",),
        "调整 {ci} 内存至 32G",
        "月底结算期间应用内存不足，申请将 {ci} 内存由 16G 调整为 32G，可接受夜间重启。",
        "已在 22:00 维护窗口完成配置调整，重启后应用自检正常。",
        "热添加未生效，已预约下次窗口重启生效。",
        ((LOW, MEDIUM), (LOW, LOW)),
        ("二线系统组",), system_type="云主机",
    ),
    Template(
        Kind.SERVICE_REQUEST, "资源续租", ("virtual_machine",),
        "云主机资源续租三个月（{ci}）",
        "{ci} 租期将于本月底到期，项目尚未结束，申请续租三个月，费用按原合同结算。",
        "已在资源管理台完成续租，新的到期日已告知申请人。",
        "合同额度不足，先续租一个月，剩余待商务确认。",
        ((LOW, LOW),),
        ("服务台",), system_type="云主机",
    ),
    Template(
        Kind.SERVICE_REQUEST, "物理机申请", ("physical_server",),
        "申请物理服务器一台用于数据库部署",
        "新核心库上线需要独立物理机：2 路 CPU、512G 内存、SSD 4 块，机房位置与 {ci} 同机柜。",
        "已从资源池调配物理机并完成上架、RAID 和操作系统安装，交付清单已签收。",
        "同机柜空间不足，先安排在相邻机柜上架。",
        ((LOW, LOW), (MEDIUM, LOW)),
        ("二线系统组", "现场支持组"), system_type="x86 服务器",
    ),
    Template(
        Kind.SERVICE_REQUEST, "账号与权限", ("virtual_machine",),
        "新员工开通 OA 与邮箱账号（{count} 人）",
        "人事部提交入职名单，{count} 名新员工下周一报到，需开通 OA、企业邮箱和 VPN 账号。",
        "账号已全部开通，初始密码通过短信发送至本人手机。",
        "VPN 账号需主管审批，先开通 OA 和邮箱。",
        ((LOW, MEDIUM), (LOW, LOW)),
        ("服务台",), system_type="OA",
    ),
    Template(
        Kind.SERVICE_REQUEST, "咨询", ("virtual_machine", "firewall"),
        "咨询：如何在手机上配置 VPN",
        "{person}咨询出差期间如何在手机上使用 VPN 访问内网系统。",
        "已发送手机 VPN 配置指引并远程协助完成配置，用户测试可以访问。",
        "用户手机系统版本过旧，建议使用笔记本接入。",
        ((LOW, LOW),),
        ("服务台",), system_type="VPN",
    ),
]

ALERTS = [
    Template(
        Kind.ALERT, "监控告警", ("physical_server", "virtual_machine"),
        "【告警】{ci} CPU 使用率 {pct}%",
        "监控平台告警：{ci} CPU 使用率连续 10 分钟超过 {pct}%，阈值 90%。",
        "定位到异常进程（日志压缩任务）占满 CPU，已调整执行时间到凌晨，告警恢复。",
        "临时终止异常进程，告警恢复，任务调度问题待跟进。",
        ((MEDIUM, HIGH), (LOW, MEDIUM), (MEDIUM, MEDIUM)),
        ("二线系统组",), system_type="主机监控",
    ),
    Template(
        Kind.ALERT, "监控告警", ("virtual_machine", "database"),
        "【告警】{ci} 文件系统 /data 使用率 {pct}%",
        "监控平台告警：{ci} /data 使用率 {pct}%，剩余空间不足 10G。",
        "清理过期归档日志并配置自动清理策略，使用率降至 60%。",
        "手工清理后暂时恢复，需申请扩容。",
        ((MEDIUM, HIGH), (LOW, HIGH)),
        ("二线系统组",), system_type="主机监控",
    ),
    Template(
        Kind.ALERT, "监控告警", ("network_device", "leased_line", "firewall"),
        "【告警】{ci} Ping 丢包率 {pct}%",
        "监控平台告警：{ci} 管理地址 Ping 丢包率 {pct}%，持续 5 分钟。",
        "上联端口光模块衰耗过大，已更换光模块，丢包消失。",
        "切换到备用上联链路，光模块待更换。",
        ((HIGH, HIGH), (MEDIUM, HIGH)),
        ("二线网络组",), system_type="网络监控",
    ),
    Template(
        Kind.ALERT, "监控告警", ("database",),
        "【告警】{ci} 主从延迟超过 {count}00 秒",
        "监控平台告警：{ci} 复制延迟 {count}00 秒，超过阈值 300 秒。",
        "大事务批量更新导致延迟，拆分批次后延迟恢复正常。",
        "暂停报表抽数任务后延迟回落，批处理改造待排期。",
        ((MEDIUM, MEDIUM), (MEDIUM, HIGH)),
        ("三线专家组",), system_type="数据库监控",
    ),
    Template(
        Kind.ALERT, "监控告警", ("storage",),
        "【告警】{ci} 控制器 B 离线",
        "存储管理平台告警：{ci} 控制器 B 状态 Offline，业务已切换至控制器 A。",
        "厂商远程诊断为控制器固件缺陷，已升级固件并恢复双控运行。",
        "单控运行中，固件升级安排在周末窗口。",
        ((HIGH, HIGH), (HIGH, CRITICAL)),
        ("三线专家组", "华为厂商支持"), system_type="存储", failure_vendor="华为",
    ),
]

PLACES = ["三楼东区", "五楼财务部", "营业部", "浦东分公司", "嘉定仓库", "门诊楼二层", "客服中心"]
PEOPLE = ["张伟", "王磊", "刘洁", "陈晨", "杨帆", "黄蕾", "周杰", "吴婷", "徐明", "孙悦"]

# What people write along the way.
PENDING_ON_REQUESTER = [
    "已电话联系用户，等待其提供报错截图和操作时间。",
    "需用户确认可停机时间窗口，已发邮件询问。",
    "等待用户部门领导审批后实施。",
]
PENDING_ON_VENDOR = [
    "已向厂商报修，等待备件到场，预计明天上午。",
    "厂商二线正在分析日志，承诺 24 小时内给出结论。",
    "运营商已派单抢修，等待对方反馈。",
]
RESUMED = ["用户已提供所需信息，继续处理。", "备件已到场，继续处理。", "厂商已回复分析结论。"]
WORK_NOTES = [
    "已登录 {ci} 查看系统日志，错误集中在凌晨 2 点以后。",
    "与用户远程会话复现了问题，正在收集诊断信息。",
    "检查近期变更记录，上周五有相关配置变更，正在比对。",
    "已通知值班经理，处理过程中保持与用户沟通。",
]
PUBLIC_UPDATES = [
    "您好，工程师正在处理，预计一小时内给您反馈。",
    "问题已定位，正在实施修复，请稍候。",
]
CONFIRMATIONS = [
    "已电话回访，用户确认业务恢复正常。",
    "用户邮件回复确认问题已解决。",
    "回访用户，确认可以正常使用，同意关闭。",
]
STAFF_CLOSURES = [
    "巡检发现的问题已处理完毕，复查正常，关闭。",
    "已与转报同事确认处理结果，关闭。",
]
REJECTIONS = [
    "回访时用户反映问题依旧，下午再次出现同样现象。",
    "用户表示仍无法正常使用，要求继续处理。",
    "用户确认只恢复了部分功能，不同意关闭。",
]
UNSUCCESSFUL = [
    "经与客户沟通，该需求超出合同服务范围，无法实施，客户同意关闭。",
    "厂商确认该型号已停止维保无法修复，客户同意关闭并另行采购。",
]
PRIORITY_RAISED = [
    "VIP 客户核心业务受影响，经事件经理再确认升级为高优先级。",
    "影响交易时段，客户领导来电催办，事件经理确认提升优先级。",
]
PRIORITY_LOWERED = [
    "仅测试环境受影响，经与用户确认降低优先级。",
    "已有临时方案，业务基本不受影响，事件经理确认降级。",
]
