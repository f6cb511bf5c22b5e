from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    INBOUND = "inbound", _("Inbound")
    OUTBOUND = "outbound", _("Outbound")


class CallRecord(models.Model):
    """One call to or from the service desk, as the telephony system saw it.

    Offered calls without `answered_at` were abandoned. `answer_seconds` is
    stored rather than derived so that the phone KPIs aggregate it directly."""

    source = models.CharField(_("telephony system"), max_length=40)
    external_id = models.CharField(_("call ID"), max_length=100)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices,
                                 default=Direction.INBOUND)
    caller_number = models.CharField(_("caller number"), max_length=40, blank=True)
    caller_name = models.CharField(_("caller"), max_length=100, blank=True)
    customer = models.ForeignKey("core.Customer", on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="+", verbose_name=_("customer"))
    offered_at = models.DateTimeField(_("offered at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answer_seconds = models.PositiveIntegerField(_("answer delay (seconds)"), null=True,
                                                 blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                              blank=True, related_name="+", verbose_name=_("agent"))
    agent_name = models.CharField(_("agent name"), max_length=100, blank=True)
    incident = models.ForeignKey("incidents.Incident", on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="calls",
                                 verbose_name=_("linked incident"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("call record")
        verbose_name_plural = _("call records")
        constraints = [models.UniqueConstraint(fields=["source", "external_id"],
                                               name="calls_unique_per_source")]
        indexes = [models.Index(fields=["offered_at"], name="calls_offered_at")]

    def __str__(self) -> str:
        return f"{self.source}:{self.external_id}"
