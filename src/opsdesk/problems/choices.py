from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    """PRB-03, with a trend proposal before acceptance and its dismissal."""

    PROPOSED = "proposed", _("Proposed by trend analysis")
    DISMISSED = "dismissed", _("Dismissed")
    ACCEPTED = "accepted", _("Accepted")
    REGISTERED = "registered", _("Registered and classified")
    ASSIGNED = "assigned", _("Assigned")
    INVESTIGATING = "investigating", _("Investigating")
    KNOWN_ERROR = "known_error", _("Known error")
    SOLUTION_IDENTIFIED = "solution_identified", _("Solution identified")
    CHANGE_REQUESTED = "change_requested", _("Change requested")
    REVIEWED = "reviewed", _("Reviewed")
    ARCHIVED = "archived", _("Archived")
    CLOSED = "closed", _("Closed")


# No longer changes; a dismissed proposal is final too.
FINAL_STATES = frozenset({State.CLOSED, State.DISMISSED})
# A known error: its cause is found and a workaround is published (PRB-04).
KNOWN_ERROR_STATES = frozenset({
    State.KNOWN_ERROR, State.SOLUTION_IDENTIFIED, State.CHANGE_REQUESTED, State.REVIEWED,
    State.ARCHIVED, State.CLOSED,
})
# Where a solution exists: the linked incidents can be told.
SOLVED_STATES = frozenset({State.SOLUTION_IDENTIFIED, State.CHANGE_REQUESTED, State.REVIEWED})
# Open problems: accepted and not yet closed (what a monthly report counts).
OPEN_STATES = frozenset(State) - FINAL_STATES - {State.PROPOSED}


class Source(models.TextChoices):
    """Where a problem came from (PRB-01)."""

    INCIDENT_WORKAROUND = "incident_workaround", _("Incident closed with a workaround")
    UNKNOWN_CAUSE = "unknown_cause", _("Incident of unknown cause")
    FIRST_OF_A_KIND = "first_of_a_kind", _("First-of-a-kind incident")
    MAJOR_INCIDENT = "major_incident", _("Major incident aftermath")
    AFTER_SALES = "after_sales", _("After-sales service")
    TREND_ANALYSIS = "trend_analysis", _("Trend analysis")
    MONITORING = "monitoring", _("Monitoring or inspection")


class Category(models.TextChoices):
    HARDWARE = "hardware", _("Hardware")
    SOFTWARE = "software", _("Software")
    SERVER = "server", _("Server")
    NETWORK = "network", _("Network")
    DATABASE = "database", _("Database")
    OTHER = "other", _("Other")


class Level(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class Action(models.TextChoices):
    """Everything that can happen to a problem; the keys of rules.TRANSITIONS."""

    ACCEPT = "accept", _("Accept")
    DISMISS = "dismiss", _("Dismiss")
    REGISTER = "register", _("Register and classify")
    ASSIGN = "assign", _("Assign an owner")
    INVESTIGATE = "investigate", _("Start investigating")
    PUBLISH_WORKAROUND = "publish-workaround", _("Publish as known error")
    IDENTIFY_SOLUTION = "identify-solution", _("Record the solution")
    REQUEST_CHANGE = "request-change", _("Request a change")
    REVIEW = "review", _("Record the review")
    ARCHIVE = "archive", _("Archive")
    CLOSE = "close", _("Close")
    UPDATE = "update", _("Edit fields")
    LINK_INCIDENT = "link-incident", _("Link an incident")
    NOTIFY_INCIDENTS = "notify-incidents", _("Tell the linked incidents")
