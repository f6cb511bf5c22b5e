from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    AGENT = "agent", _("Service desk agent")
    ENGINEER = "engineer", _("Support engineer")
    INCIDENT_MANAGER = "incident_manager", _("Incident manager")
    PROBLEM_MANAGER = "problem_manager", _("Problem manager")
    CHANGE_MANAGER = "change_manager", _("Change manager")
    SERVICE_MANAGER = "service_manager", _("Ops service manager")
    OPS_DIRECTOR = "ops_director", _("Ops director")
    LEADERSHIP = "leadership", _("Company leadership")
    REQUESTER = "requester", _("Requester")


class Tier(models.TextChoices):
    SERVICE_DESK = "service_desk", _("Service desk")
    L1 = "l1", _("L1 support")
    L2 = "l2", _("L2 support")
    L3 = "l3", _("L3 support")
    ONSITE = "onsite", _("On-site support")
    VENDOR = "vendor", _("Third-party vendor")


class CustomerClass(models.TextChoices):
    VIP = "vip", _("VIP")
    NORMAL = "normal", _("Normal")
