from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import Impact, Urgency


class PriorityCell(models.Model):
    """One cell of the priority matrix; seeded from seed 004, editable in the admin."""

    impact = models.CharField(_("impact"), max_length=10, choices=Impact.choices)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices)
    priority = models.PositiveSmallIntegerField(
        _("priority"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )

    class Meta:
        ordering = ["urgency", "impact"]
        constraints = [
            models.UniqueConstraint(fields=["impact", "urgency"], name="priority_cell_unique"),
            models.CheckConstraint(
                condition=models.Q(priority__gte=1, priority__lte=4), name="priority_in_range"
            ),
        ]
        verbose_name = _("priority matrix cell")
        verbose_name_plural = _("priority matrix")

    def __str__(self):
        return f"{self.get_impact_display()} × {self.get_urgency_display()} → P{self.priority}"
