"""The stored KPI figures of a month (kpi_snapshots collects and reads them)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class KpiSnapshot(models.Model):
    """Every KPI figure of one month for one scope (a filter set: the whole
    service, one team …), as kpis.compute gave it when `collected_at`. One
    row per month and scope, whatever the number of workers: the unique
    constraint is what makes collection idempotent. A row without figures is
    waiting for its first collection."""

    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    scope = models.CharField(_("scope"), max_length=200, blank=True,
                             help_text=_("The KPI filters as a query string; empty for the "
                                         "whole service."))
    figures = models.JSONField(_("figures"), null=True, blank=True, editable=False)
    collected_at = models.DateTimeField(_("collected at"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "scope"], name="kpi_snapshot_once"),
        ]
        verbose_name = _("KPI snapshot")
        verbose_name_plural = _("KPI snapshots")

    def __str__(self):
        return f"{self.month:%Y-%m} {self.scope or '*'}"
