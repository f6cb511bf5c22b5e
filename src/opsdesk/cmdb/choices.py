from django.db import models
from django.utils.translation import gettext_lazy as _


class AttributeKind(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Choice")


class RelationshipKind(models.TextChoices):
    """Read a relationship as a sentence: “source runs on target”."""

    RUNS_ON = "runs_on", _("runs on")
    DEPENDS_ON = "depends_on", _("depends on")
    CONNECTED_TO = "connected_to", _("connected to")
    PART_OF = "part_of", _("part of")


# Which end of a relationship suffers when the other fails. “A runs on B” and
# “A depends on B”: A fails with B. “A part of B”: B (the whole) fails with A.
# “Connected to” carries no dependency either way and is left out of impact.
DEPENDANT_IS_SOURCE = (RelationshipKind.RUNS_ON, RelationshipKind.DEPENDS_ON)
DEPENDANT_IS_TARGET = (RelationshipKind.PART_OF,)

BUSINESS_SERVICE = "business_service"
