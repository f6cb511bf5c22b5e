import django.db.models.deletion
from django.db import migrations, models


def type_from_legacy_string(apps, schema_editor):
    """The first CI model kept its type as free text; each distinct value
    becomes (or joins) a CI type row with that code."""
    CiType = apps.get_model("cmdb", "CiType")
    ConfigurationItem = apps.get_model("core", "ConfigurationItem")
    known = set(CiType.objects.values_list("code", flat=True))
    for code in ConfigurationItem.objects.values_list("ci_type", flat=True).distinct():
        if code not in known:
            CiType.objects.create(code=code, name=code.replace("_", " "))
            known.add(code)
        ConfigurationItem.objects.filter(ci_type=code).update(type_id=code)


def legacy_string_from_type(apps, schema_editor):
    ConfigurationItem = apps.get_model("core", "ConfigurationItem")
    ConfigurationItem.objects.update(ci_type=models.F("type_id"))


def services_become_items(apps, schema_editor):
    """Each catalogue service gets its configuration item of type business
    service, so that impact analysis can reach it."""
    ConfigurationItem = apps.get_model("core", "ConfigurationItem")
    Service = apps.get_model("core", "Service")
    for service in Service.objects.filter(ci=None):
        name = service.name
        if ConfigurationItem.objects.filter(name=name).exists():
            name = f"{service.name} ({service.code})"
        service.ci = ConfigurationItem.objects.create(
            name=name, type_id="business_service", owner_team_id=service.owner_team_id,
            service=service)
        service.save(update_fields=["ci"])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_user_is_robot"),
        ("cmdb", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="configurationitem",
            name="type",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="items",
                to="cmdb.citype", to_field="code", verbose_name="type"),
        ),
        migrations.RunPython(type_from_legacy_string, legacy_string_from_type),
        migrations.RemoveField(model_name="configurationitem", name="ci_type"),
        migrations.AlterField(
            model_name="configurationitem",
            name="type",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="items",
                to="cmdb.citype", to_field="code", verbose_name="type"),
        ),
        migrations.AddField(
            model_name="configurationitem",
            name="status",
            field=models.CharField(
                choices=[("planned", "Planned"), ("in_service", "In service"),
                         ("maintenance", "Maintenance"), ("retired", "Retired")],
                default="in_service", max_length=20, verbose_name="status"),
        ),
        migrations.AddField(
            model_name="configurationitem",
            name="location",
            field=models.CharField(blank=True, max_length=200, verbose_name="location"),
        ),
        migrations.AddField(
            model_name="configurationitem",
            name="vendor",
            field=models.CharField(blank=True, max_length=200, verbose_name="vendor"),
        ),
        migrations.AddField(
            model_name="configurationitem",
            name="contract",
            field=models.CharField(blank=True, max_length=100, verbose_name="support contract"),
        ),
        migrations.AddField(
            model_name="configurationitem",
            name="attributes",
            field=models.JSONField(blank=True, default=dict, verbose_name="attributes"),
        ),
        migrations.AddIndex(
            model_name="configurationitem",
            index=models.Index(fields=["type", "name"], name="ci_by_type"),
        ),
        migrations.AddField(
            model_name="service",
            name="ci",
            field=models.OneToOneField(
                blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                related_name="business_service", to="core.configurationitem",
                verbose_name="configuration item"),
        ),
        migrations.RunPython(services_become_items, migrations.RunPython.noop),
    ]
