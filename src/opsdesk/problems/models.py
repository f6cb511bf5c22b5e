from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .choices import KNOWN_ERROR_STATES, Category, Level, Source, State

USER = settings.AUTH_USER_MODEL


class Problem(models.Model):
    """A problem record (问题记录表, PRB-02)."""

    TIMELINE_TYPE = "problem"

    number = models.CharField(_("number"), max_length=24, unique=True, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    symptoms = models.TextField(_("symptoms"), blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices,
                                blank=True)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices,
                             default=Level.MEDIUM)
    source = models.CharField(_("source"), max_length=30, choices=Source.choices)
    state = models.CharField(_("state"), max_length=30, choices=State.choices,
                             default=State.ACCEPTED)
    ci = models.ForeignKey(
        "core.ConfigurationItem", verbose_name=_("configuration item"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="problems",
    )
    service = models.ForeignKey(
        "core.Service", verbose_name=_("service"), null=True, blank=True,
        on_delete=models.PROTECT,
    )
    owner = models.ForeignKey(
        USER, verbose_name=_("problem owner"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="owned_problems",
    )
    team = models.ForeignKey(
        "core.Team", verbose_name=_("analysis group"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="problems",
    )
    root_cause = models.TextField(_("root cause"), blank=True)
    workaround = models.TextField(_("workaround"), blank=True)
    solution = models.TextField(_("solution"), blank=True)
    preventive_actions = models.TextField(_("preventive actions"), blank=True)
    change_reference = models.CharField(_("change request"), max_length=100, blank=True)
    review_minutes = models.TextField(_("review minutes"), blank=True)
    user_representatives = models.TextField(_("user representatives"), blank=True)
    dismissal_reason = models.TextField(_("reason for dismissal"), blank=True)
    # Trend proposals: which recurrence this is (e.g. "ci:12:category:7"), so
    # a dismissed or open one is never proposed twice.
    trend_key = models.CharField(_("trend"), max_length=100, blank=True, editable=False)

    created_by = models.ForeignKey(
        USER, verbose_name=_("registered by"), null=True, on_delete=models.PROTECT,
        related_name="+", editable=False,
    )
    created_at = models.DateTimeField(_("created at"), editable=False)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True, editable=False)
    known_error_at = models.DateTimeField(_("known error since"), null=True, blank=True,
                                          editable=False)
    resolved_at = models.DateTimeField(_("solved at"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(_("updated at"), editable=False)

    incidents = models.ManyToManyField(
        "incidents.Incident", through="ProblemIncident", related_name="problems",
        verbose_name=_("incidents"),
    )

    class Meta:
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        indexes = [
            models.Index(fields=["state", "id"], name="problem_state_id"),
            models.Index(fields=["owner", "state"], name="problem_owner_state"),
            models.Index(fields=["ci", "state"], name="problem_ci_state"),
            models.Index(fields=["opened_at"], name="problem_opened_at"),
            models.Index(fields=["resolved_at"], name="problem_resolved_at"),
            models.Index(fields=["trend_key"], name="problem_trend_key",
                         condition=~models.Q(trend_key="")),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("problems:detail", args=[self.number])

    @property
    def is_major(self) -> bool:
        """A major problem (重大问题): its review needs user representatives."""
        return self.level == Level.HIGH

    @property
    def is_known_error(self) -> bool:
        return self.state in KNOWN_ERROR_STATES and bool(self.workaround)


class ProblemIncident(models.Model):
    """An incident linked to a problem, and how it came to be linked."""

    class Reason(models.TextChoices):
        RAISED = "raised", _("raised from the incident")
        LINKED = "linked", _("linked by hand")
        RESOLUTION = "resolution", _("required by the closure code")
        TREND = "trend", _("found by trend analysis")
        WORKAROUND = "workaround", _("workaround applied")

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="links")
    incident = models.ForeignKey("incidents.Incident", on_delete=models.CASCADE,
                                 related_name="problem_links")
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    linked_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    linked_at = models.DateTimeField(_("linked at"))

    class Meta:
        ordering = ["problem", "id"]
        constraints = [
            models.UniqueConstraint(fields=["problem", "incident"], name="problem_incident_once"),
        ]
        indexes = [models.Index(fields=["incident"], name="problem_link_incident")]
        verbose_name = _("linked incident")
        verbose_name_plural = _("linked incidents")

    def __str__(self):
        return f"{self.problem_id} ↔ {self.incident_id}"
