from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .choices import Kind, Outcome, Relation, RiskLevel, State, Vote

USER = settings.AUTH_USER_MODEL


class StandardChange(models.Model):
    """A pre-approved change model (标准变更模板): a change raised from it
    skips the CAB. Edited by administrators."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    implementation_plan = models.TextField(_("implementation plan"))
    rollback_plan = models.TextField(_("rollback plan"))
    test_plan = models.TextField(_("test plan"), blank=True)
    implementer_team = models.ForeignKey(
        "core.Team", verbose_name=_("implementer team"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+")
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("standard change template")
        verbose_name_plural = _("standard change templates")

    def __str__(self):
        return self.name


class Change(models.Model):
    """A request for change (RFC, CHG-01) and everything that happens to it."""

    TIMELINE_TYPE = "change"

    number = models.CharField(_("number"), max_length=24, unique=True, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    kind = models.CharField(_("change type"), max_length=20, choices=Kind.choices)
    state = models.CharField(_("state"), max_length=20, choices=State.choices,
                             default=State.DRAFT)
    title = models.CharField(_("title"), max_length=200)
    reason = models.TextField(_("reason for the change"), blank=True)
    description = models.TextField(_("description"), blank=True)
    implementation_plan = models.TextField(_("implementation plan"), blank=True)
    rollback_plan = models.TextField(_("rollback plan"), blank=True)
    test_plan = models.TextField(_("test plan"), blank=True)
    template = models.ForeignKey(StandardChange, verbose_name=_("standard change template"),
                                 null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="changes")
    cis = models.ManyToManyField("core.ConfigurationItem", blank=True, related_name="changes",
                                 verbose_name=_("affected configuration items"))
    services = models.ManyToManyField("core.Service", blank=True, related_name="changes",
                                      verbose_name=_("affected services"))
    customer = models.ForeignKey("core.Customer", verbose_name=_("customer"), null=True,
                                 blank=True, on_delete=models.PROTECT, related_name="+")
    planned_start = models.DateTimeField(_("window start"), null=True, blank=True)
    planned_end = models.DateTimeField(_("window end"), null=True, blank=True)
    requested_by = models.ForeignKey(USER, verbose_name=_("requested by"),
                                     on_delete=models.PROTECT, related_name="requested_changes")
    owner = models.ForeignKey(USER, verbose_name=_("change owner"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="owned_changes")
    implementer_team = models.ForeignKey("core.Team", verbose_name=_("implementer team"),
                                         null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="changes")
    problem = models.ForeignKey("problems.Problem", verbose_name=_("problem"), null=True,
                                blank=True, on_delete=models.PROTECT, related_name="changes")

    risk_answers = models.JSONField(_("risk questionnaire"), default=dict, blank=True)
    risk_impact = models.PositiveSmallIntegerField(_("impact"), null=True, blank=True)
    risk_probability = models.PositiveSmallIntegerField(_("probability"), null=True, blank=True)
    risk_score = models.PositiveSmallIntegerField(_("risk score"), null=True, blank=True)
    risk_level = models.CharField(_("risk level"), max_length=10, choices=RiskLevel.choices,
                                  blank=True)
    # Taken from the setting when the CAB is convened: a later change of the
    # setting never moves a vote already under way.
    quorum = models.PositiveSmallIntegerField(_("approvals needed"), null=True, blank=True)

    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices,
                               blank=True)
    implementation_notes = models.TextField(_("implementation notes"), blank=True)
    review_notes = models.TextField(_("review notes"), blank=True)

    # An emergency change carried out first (CHG-04) must be recorded by then.
    record_due_at = models.DateTimeField(_("record by"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("change manager reminded at"), null=True, blank=True)

    created_at = models.DateTimeField(_("created at"), editable=False)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    started_at = models.DateTimeField(_("implementation started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("implementation finished at"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), editable=False)

    incidents = models.ManyToManyField("incidents.Incident", through="ChangeIncident",
                                       related_name="changes", verbose_name=_("incidents"))

    class Meta:
        verbose_name = _("change")
        verbose_name_plural = _("changes")
        indexes = [
            models.Index(fields=["state", "id"], name="change_state_id"),
            models.Index(fields=["planned_start", "planned_end"], name="change_window"),
            models.Index(fields=["requested_by", "state"], name="change_requester_state"),
            models.Index(fields=["finished_at"], name="change_finished_at"),
            models.Index(fields=["created_at"], name="change_created_at"),
            models.Index(fields=["record_due_at"], name="change_unrecorded_due",
                         condition=models.Q(recorded_at__isnull=True,
                                            record_due_at__isnull=False)),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("changes:detail", args=[self.number])

    @property
    def is_unrecorded_emergency(self) -> bool:
        return self.record_due_at is not None and self.recorded_at is None

    @property
    def pending_approver_ids(self) -> frozenset:
        """The CAB members named on the change who have not voted (what
        rules.check asks)."""
        return frozenset(self.approvals.filter(vote="").values_list("approver_id", flat=True))


class ChangeApproval(models.Model):
    """One CAB member's seat on one change, and their vote once cast."""

    change = models.ForeignKey(Change, on_delete=models.CASCADE, related_name="approvals")
    approver = models.ForeignKey(USER, verbose_name=_("CAB member"), on_delete=models.PROTECT,
                                 related_name="change_approvals")
    vote = models.CharField(_("vote"), max_length=10, choices=Vote.choices, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    voted_at = models.DateTimeField(_("voted at"), null=True, blank=True)

    class Meta:
        ordering = ["change", "id"]
        constraints = [
            models.UniqueConstraint(fields=["change", "approver"], name="change_approver_once"),
        ]
        indexes = [models.Index(fields=["approver", "vote"], name="change_approval_pending")]
        verbose_name = _("CAB vote")
        verbose_name_plural = _("CAB votes")

    def __str__(self):
        return f"{self.change_id}: {self.approver_id} {self.vote or '-'}"


class ChangeIncident(models.Model):
    """An incident and a change linked, and how (INC-17)."""

    change = models.ForeignKey(Change, on_delete=models.CASCADE, related_name="incident_links")
    incident = models.ForeignKey("incidents.Incident", on_delete=models.CASCADE,
                                 related_name="change_links")
    relation = models.CharField(_("relation"), max_length=20, choices=Relation.choices)
    linked_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    linked_at = models.DateTimeField(_("linked at"))

    class Meta:
        ordering = ["change", "id"]
        constraints = [
            models.UniqueConstraint(fields=["change", "incident", "relation"],
                                    name="change_incident_once"),
        ]
        indexes = [models.Index(fields=["incident"], name="change_link_incident")]
        verbose_name = _("linked incident")
        verbose_name_plural = _("linked incidents")

    def __str__(self):
        return f"{self.change_id} {self.relation} {self.incident_id}"


class BlackoutWindow(models.Model):
    """A period in which no change may be carried out (变更冻结期), for
    everything or only for some services and configuration items."""

    TIMELINE_TYPE = "blackout"

    name = models.CharField(_("name"), max_length=200)
    reason = models.TextField(_("reason"), blank=True)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    services = models.ManyToManyField("core.Service", blank=True, related_name="+",
                                      verbose_name=_("services"))
    cis = models.ManyToManyField("core.ConfigurationItem", blank=True, related_name="+",
                                 verbose_name=_("configuration items"))
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", editable=False)
    created_at = models.DateTimeField(_("created at"), editable=False)

    class Meta:
        ordering = ["start", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")),
                                   name="blackout_ends_after_start"),
        ]
        indexes = [models.Index(fields=["start", "end"], name="blackout_window")]
        verbose_name = _("blackout window")
        verbose_name_plural = _("blackout windows")

    def __str__(self):
        return self.name
