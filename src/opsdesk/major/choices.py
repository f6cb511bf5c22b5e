from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    ACTIVE = "active", _("Emergency in progress")
    LIFTED = "lifted", _("Emergency lifted")


class TeamRole(models.TextChoices):
    """The emergency team's roles (应急小组)."""

    COMMANDER = "commander", _("Commander")
    TECHNICAL_LEAD = "technical_lead", _("Technical lead")
    COMMUNICATIONS = "communications", _("Communications")
    VENDOR_LIAISON = "vendor_liaison", _("Vendor liaison")
    MEMBER = "member", _("Member")


class DrillResult(models.TextChoices):
    PASSED = "passed", _("Passed")
    PARTLY = "partly", _("Passed with findings")
    FAILED = "failed", _("Failed")
