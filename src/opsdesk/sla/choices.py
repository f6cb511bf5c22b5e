from django.db import models
from django.utils.translation import gettext_lazy as _


class Impact(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class Urgency(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class Priority(models.IntegerChoices):
    P1 = 1, _("P1 · critical")
    P2 = 2, _("P2 · high")
    P3 = 3, _("P3 · medium")
    P4 = 4, _("P4 · low")


class EscalationLevel(models.TextChoices):
    """Who the hierarchical matrix (INC-11) notifies, lowest first."""

    TEAM_LEAD = "team_lead", _("Support group lead")
    INCIDENT_MANAGER = "incident_manager", _("Incident manager")
    SERVICE_MANAGER = "service_manager", _("Ops service manager")
    OPS_DIRECTOR = "ops_director", _("Ops director")
    LEADERSHIP = "leadership", _("Company leadership")
