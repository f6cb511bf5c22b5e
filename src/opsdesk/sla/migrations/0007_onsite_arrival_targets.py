import django.core.validators
from django.db import migrations, models

# Seed 004 names the on-site KPI "arrived at the customer's site in time"
# (规定时间内到达客户现场) but gives no arrival times. The default follows the
# only response times it does give, the urgency standards of INC-05
# (紧急 1 h, 高 2 h, 中 4 h, 低 8 h), by priority P1-P4; admins edit them on the
# on-site OLA targets.
ARRIVAL_MINUTES = (60, 120, 240, 480)


def seed(apps, schema_editor):
    OlaTarget = apps.get_model("sla", "OlaTarget")
    for priority, minutes in enumerate(ARRIVAL_MINUTES, start=1):
        OlaTarget.objects.filter(tier="onsite", priority=priority, arrival_minutes=None) \
            .update(arrival_minutes=minutes)


class Migration(migrations.Migration):

    dependencies = [
        ('sla', '0006_ola_and_underpinning_contracts'),
    ]

    operations = [
        migrations.AddField(
            model_name='olatarget',
            name='arrival_minutes',
            field=models.PositiveIntegerField(blank=True, null=True, validators=[django.core.validators.MinValueValidator(1)], verbose_name='arrive on site within (minutes)'),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
