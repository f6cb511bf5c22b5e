import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cmdb", "0001_initial"),
        ("core", "0005_cmdb_configuration_items"),
    ]

    operations = [
        migrations.CreateModel(
            name="CiRelationship",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("kind", models.CharField(
                    choices=[("runs_on", "runs on"), ("depends_on", "depends on"),
                             ("connected_to", "connected to"), ("part_of", "part of")],
                    max_length=20, verbose_name="kind")),
                ("source", models.ForeignKey(
                    on_delete=django.db.models.deletion.CASCADE, related_name="outgoing",
                    to="core.configurationitem", verbose_name="source")),
                ("target", models.ForeignKey(
                    on_delete=django.db.models.deletion.CASCADE, related_name="incoming",
                    to="core.configurationitem", verbose_name="target")),
            ],
            options={"verbose_name": "CI relationship", "verbose_name_plural": "CI relationships",
                     "ordering": ["source", "kind", "target"]},
        ),
        migrations.AddConstraint(
            model_name="cirelationship",
            constraint=models.UniqueConstraint(fields=("source", "kind", "target"),
                                               name="ci_relationship_unique"),
        ),
        migrations.AddConstraint(
            model_name="cirelationship",
            constraint=models.CheckConstraint(condition=~models.Q(source=models.F("target")),
                                              name="ci_relationship_not_to_itself"),
        ),
        migrations.AddIndex(
            model_name="cirelationship",
            index=models.Index(fields=["target", "kind", "source"],
                               name="ci_relationship_by_target"),
        ),
    ]
