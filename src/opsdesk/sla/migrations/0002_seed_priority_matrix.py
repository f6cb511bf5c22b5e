from django.db import migrations

from opsdesk.sla.priority import SEED_004_MATRIX


def seed(apps, schema_editor):
    PriorityCell = apps.get_model("sla", "PriorityCell")
    for (impact, urgency), priority in SEED_004_MATRIX.items():
        PriorityCell.objects.get_or_create(
            impact=impact, urgency=urgency, defaults={"priority": priority}
        )


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
