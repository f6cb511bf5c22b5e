import django.db.models.deletion
from django.db import migrations, models

# code, name, attributes (key, label, kind, options)
TYPES = [
    ("physical_server", "物理服务器", [
        ("serial_number", "序列号", "text", ""), ("cpu_cores", "CPU 核数", "number", ""),
        ("memory_gb", "内存 (GB)", "number", ""), ("os", "操作系统", "text", ""),
        ("warranty_until", "保修截止", "date", "")]),
    ("server", "服务器", [
        ("serial_number", "序列号", "text", ""), ("os", "操作系统", "text", "")]),
    ("cluster", "集群", [("nodes", "节点数", "number", "")]),
    ("pc", "终端电脑", [("asset_tag", "资产编号", "text", ""), ("user", "使用人", "text", "")]),
    ("virtual_machine", "虚拟机", [
        ("vcpus", "vCPU", "number", ""), ("memory_gb", "内存 (GB)", "number", ""),
        ("os", "操作系统", "text", ""), ("ip_address", "IP 地址", "text", "")]),
    ("network_device", "网络设备", [
        ("model", "型号", "text", ""), ("management_ip", "管理地址", "text", ""),
        ("layer", "网络层级", "choice", "core,aggregation,access")]),
    ("firewall", "防火墙", [
        ("model", "型号", "text", ""), ("management_ip", "管理地址", "text", "")]),
    ("storage", "存储", [
        ("model", "型号", "text", ""), ("capacity_tb", "容量 (TB)", "number", "")]),
    ("database", "数据库", [
        ("engine", "数据库类型", "choice", "Oracle,MySQL,PostgreSQL,SQL Server,达梦"),
        ("version", "版本", "text", "")]),
    ("application", "应用系统", [
        ("version", "版本", "text", ""), ("go_live", "上线日期", "date", "")]),
    ("leased_line", "专线", [
        ("carrier", "运营商", "text", ""), ("bandwidth_mbps", "带宽 (Mbps)", "number", "")]),
    ("business_service", "业务服务", []),
]


def seed_types(apps, schema_editor):
    CiType = apps.get_model("cmdb", "CiType")
    CiAttribute = apps.get_model("cmdb", "CiAttribute")
    for code, name, attributes in TYPES:
        ci_type, _created = CiType.objects.get_or_create(code=code, defaults={"name": name})
        for position, (key, label, kind, options) in enumerate(attributes):
            CiAttribute.objects.get_or_create(ci_type=ci_type, key=key, defaults={
                "label": label, "kind": kind, "options": options, "position": position})


class Migration(migrations.Migration):
    initial = True

    dependencies = [("core", "0004_user_is_robot")]

    operations = [
        migrations.CreateModel(
            name="CiType",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("code", models.SlugField(max_length=40, unique=True, verbose_name="code")),
                ("name", models.CharField(max_length=100, verbose_name="name")),
            ],
            options={"verbose_name": "CI type", "verbose_name_plural": "CI types",
                     "ordering": ["name"]},
        ),
        migrations.CreateModel(
            name="CiAttribute",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("key", models.SlugField(max_length=40, verbose_name="key")),
                ("label", models.CharField(max_length=100, verbose_name="label")),
                ("kind", models.CharField(choices=[("text", "Text"), ("number", "Number"),
                                                   ("date", "Date"), ("choice", "Choice")],
                                          default="text", max_length=10, verbose_name="kind")),
                ("options", models.CharField(
                    blank=True, max_length=500, verbose_name="options",
                    help_text="For a choice: the allowed values, separated by commas.")),
                ("required", models.BooleanField(default=False, verbose_name="required")),
                ("position", models.PositiveSmallIntegerField(default=0,
                                                              verbose_name="position")),
                ("ci_type", models.ForeignKey(
                    on_delete=django.db.models.deletion.CASCADE, related_name="attributes",
                    to="cmdb.citype", verbose_name="CI type")),
            ],
            options={"verbose_name": "CI attribute", "verbose_name_plural": "CI attributes",
                     "ordering": ["ci_type", "position", "key"]},
        ),
        migrations.AddConstraint(
            model_name="ciattribute",
            constraint=models.UniqueConstraint(fields=("ci_type", "key"),
                                               name="ci_attribute_key_per_type"),
        ),
        migrations.RunPython(seed_types, migrations.RunPython.noop),
    ]
