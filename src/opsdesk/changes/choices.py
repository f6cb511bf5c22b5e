from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """CHG-01: a standard change is pre-approved by its template."""

    STANDARD = "standard", _("Standard")
    NORMAL = "normal", _("Normal")
    EMERGENCY = "emergency", _("Emergency")


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ASSESSED = "assessed", _("Assessed, awaiting CAB")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SCHEDULED = "scheduled", _("Scheduled")
    IMPLEMENTING = "implementing", _("Implementing")
    IMPLEMENTED = "implemented", _("Implemented")
    FAILED = "failed", _("Failed")
    ROLLED_BACK = "rolled_back", _("Rolled back")
    REVIEWED = "reviewed", _("Reviewed")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


FINAL_STATES = frozenset({State.CLOSED, State.CANCELLED})
# Where a change's window still matters to the calendar: on its way to being
# carried out, or being carried out.
PLANNED_STATES = frozenset({State.SUBMITTED, State.ASSESSED, State.APPROVED, State.SCHEDULED,
                            State.IMPLEMENTING})
# Carried out, whatever came of it (CHG-03).
FINISHED_STATES = frozenset({State.IMPLEMENTED, State.FAILED, State.ROLLED_BACK})
OPEN_STATES = frozenset(State) - FINAL_STATES


class Outcome(models.TextChoices):
    IMPLEMENTED = "implemented", _("Implemented")
    FAILED = "failed", _("Failed")
    ROLLED_BACK = "rolled_back", _("Rolled back")


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class Vote(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")


class Relation(models.TextChoices):
    """How an incident and a change are linked (INC-17, CHG-05)."""

    CAUSED_BY = "caused_by", _("caused by the change")
    EMERGENCY_FOR = "emergency_for", _("emergency change for the incident")
    FIXED_BY = "fixed_by", _("fixed by the change")


class Action(models.TextChoices):
    """Everything that can happen to a change; the keys of rules.TRANSITIONS."""

    SUBMIT = "submit", _("Submit")
    ASSESS = "assess", _("Assess and send to the CAB")
    VOTE = "vote", _("Vote")
    SCHEDULE = "schedule", _("Schedule")
    START = "start", _("Start implementing")
    COMPLETE = "complete", _("Record as implemented")
    FAIL = "fail", _("Record as failed")
    ROLL_BACK = "roll-back", _("Record the rollback")
    REVIEW = "review", _("Post-implementation review")
    CLOSE = "close", _("Close")
    CANCEL = "cancel", _("Cancel")
    UPDATE = "update", _("Edit fields")
    RECORD = "record", _("Record the emergency change")
    RAISE_INCIDENT = "raise-incident", _("Raise an incident")
    LINK_INCIDENT = "link-incident", _("Link an incident")
