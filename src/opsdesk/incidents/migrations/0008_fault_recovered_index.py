"""Service availability reads the faults not yet recovered when a period
starts: index their recovery instant (business recovery, else resolution)."""

from django.db import migrations, models
from django.db.models.functions import Coalesce


class Migration(migrations.Migration):

    dependencies = [
        ("incidents", "0007_onsite_arrival"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="incident",
            index=models.Index(Coalesce("business_recovered_at", "resolved_at"),
                               condition=models.Q(("duplicate_of", None), ("kind", "fault")),
                               name="incident_fault_recovered"),
        ),
    ]
