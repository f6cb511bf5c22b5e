"""Contingency plans (应急预案, SCM-01) and major incidents (重大事件, INC-12).
A major incident points at its incident and never changes the incident's own
fields: its events go on the incident's timeline."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .choices import DrillResult, Status, TeamRole

USER = settings.AUTH_USER_MODEL
DEFAULT_UPDATE_MINUTES = 30


class ContingencyPlan(models.Model):
    """The emergency plan of a system: when it applies, who to call, what to
    do, how to tell people; kept up to date by drills."""

    TIMELINE_TYPE = "contingency_plan"

    name = models.CharField(_("name"), max_length=200, unique=True)
    cis = models.ManyToManyField("core.ConfigurationItem", verbose_name=_("configuration items"),
                                 blank=True, related_name="contingency_plans")
    services = models.ManyToManyField("core.Service", verbose_name=_("services"), blank=True,
                                      related_name="contingency_plans")
    trigger_conditions = models.TextField(_("trigger conditions"))
    communication_template = models.TextField(
        _("communication template"), blank=True,
        help_text=_("The text of each status broadcast. Placeholders: {incident}, {title}, "
                    "{services}, {update}, {next_update}, {commander}."))
    aftermath = models.TextField(_("aftermath"), blank=True)
    safeguards = models.TextField(_("safeguards (people, training, venue)"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), editable=False)
    updated_at = models.DateTimeField(_("updated at"), editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("contingency plan")
        verbose_name_plural = _("contingency plans")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("major:plan", args=[self.pk])


class PlanContact(models.Model):
    plan = models.ForeignKey(ContingencyPlan, on_delete=models.CASCADE, related_name="contacts")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name = models.CharField(_("name"), max_length=100)
    role = models.CharField(_("role"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    class Meta:
        ordering = ["plan", "position", "id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self):
        return self.name


class PlanStep(models.Model):
    plan = models.ForeignKey(ContingencyPlan, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.CharField(_("step"), max_length=500)

    class Meta:
        ordering = ["plan", "position", "id"]
        verbose_name = _("plan step")
        verbose_name_plural = _("plan steps")

    def __str__(self):
        return self.text


class PlanDrill(models.Model):
    """A test of the plan (演练) and what it taught."""

    plan = models.ForeignKey(ContingencyPlan, on_delete=models.CASCADE, related_name="drills")
    held_on = models.DateField(_("date"))
    participants = models.TextField(_("participants"))
    result = models.CharField(_("result"), max_length=10, choices=DrillResult.choices)
    findings = models.TextField(_("findings"), blank=True)
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+",
                                    editable=False)

    class Meta:
        ordering = ["plan", "-held_on", "-id"]
        verbose_name = _("drill")
        verbose_name_plural = _("drills")

    def __str__(self):
        return f"{self.plan} {self.held_on}"


class MajorIncident(models.Model):
    """The major-incident sub-process run for one incident."""

    incident = models.OneToOneField("incidents.Incident", verbose_name=_("incident"),
                                    on_delete=models.PROTECT, related_name="major")
    # The incident's number: people know the major incident by it.
    number = models.CharField(_("number"), max_length=24, unique=True, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.ACTIVE)
    reason = models.TextField(_("reason for declaring"))
    declared_at = models.DateTimeField(_("declared at"))
    declared_by = models.ForeignKey(USER, verbose_name=_("declared by"), on_delete=models.PROTECT,
                                    related_name="+")
    plans = models.ManyToManyField(ContingencyPlan, verbose_name=_("contingency plans"),
                                   blank=True, related_name="major_incidents")
    update_interval_minutes = models.PositiveIntegerField(
        _("status update every (minutes)"), default=DEFAULT_UPDATE_MINUTES)
    last_update_at = models.DateTimeField(_("last status update"), null=True, blank=True)
    update_due_at = models.DateTimeField(_("next status update due"), null=True, blank=True)
    # The due time the commander is reminded of next; null once lifted. The
    # reminder handler finds due rows by this index.
    next_reminder_at = models.DateTimeField(null=True, blank=True, editable=False)
    business_recovered_at = models.DateTimeField(_("business recovered at"), null=True,
                                                 blank=True)
    lifted_at = models.DateTimeField(_("emergency lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(USER, verbose_name=_("lifted by"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    cause = models.TextField(_("cause"), blank=True)
    summary = models.TextField(_("actions taken"), blank=True)
    problem = models.ForeignKey("problems.Problem", verbose_name=_("problem"), null=True,
                                blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-declared_at", "-id"]
        verbose_name = _("major incident")
        verbose_name_plural = _("major incidents")
        indexes = [
            models.Index(fields=["next_reminder_at"], name="major_reminder_due",
                         condition=models.Q(status="active")),
            models.Index(fields=["status", "declared_at"], name="major_status"),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("incidents:detail", args=[self.number]) + "#major-incident"

    @property
    def is_active(self) -> bool:
        return self.status == Status.ACTIVE


class TeamMember(models.Model):
    major_incident = models.ForeignKey(MajorIncident, on_delete=models.CASCADE,
                                       related_name="team")
    user = models.ForeignKey(USER, verbose_name=_("member"), on_delete=models.PROTECT,
                             related_name="+")
    role = models.CharField(_("role"), max_length=20, choices=TeamRole.choices)
    added_at = models.DateTimeField(_("added at"))

    class Meta:
        ordering = ["major_incident", "id"]
        constraints = [
            models.UniqueConstraint(fields=["major_incident", "user"], name="major_member_once"),
            models.UniqueConstraint(fields=["major_incident"], name="major_one_commander",
                                    condition=models.Q(role="commander")),
        ]
        verbose_name = _("emergency team member")
        verbose_name_plural = _("emergency team")

    def __str__(self):
        return f"{self.user} ({self.get_role_display()})"


class ResponseStep(models.Model):
    """A plan step copied onto the major incident when the plan was attached,
    so later edits of the plan never rewrite what was followed."""

    major_incident = models.ForeignKey(MajorIncident, on_delete=models.CASCADE,
                                       related_name="steps")
    plan = models.ForeignKey(ContingencyPlan, null=True, on_delete=models.SET_NULL,
                             related_name="+")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(_("step"), max_length=500)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(USER, verbose_name=_("done by"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["major_incident", "position", "id"]
        verbose_name = _("response step")
        verbose_name_plural = _("response steps")

    def __str__(self):
        return self.text


class StatusUpdate(models.Model):
    major_incident = models.ForeignKey(MajorIncident, on_delete=models.CASCADE,
                                       related_name="updates")
    at = models.DateTimeField(_("time"))
    author = models.ForeignKey(USER, verbose_name=_("author"), on_delete=models.PROTECT,
                               related_name="+")
    text = models.TextField(_("status update"))

    class Meta:
        ordering = ["major_incident", "at", "id"]
        verbose_name = _("status update")
        verbose_name_plural = _("status updates")

    def __str__(self):
        return f"{self.major_incident} {self.at:%Y-%m-%d %H:%M}"


class MajorIncidentReport(models.Model):
    """The major-incident report (重大事件报告) as generated when the
    emergency was lifted: a snapshot, so it reads the same in a year."""

    major_incident = models.OneToOneField(MajorIncident, on_delete=models.CASCADE,
                                          related_name="report")
    generated_at = models.DateTimeField(_("generated at"))
    content = models.JSONField(_("content"))

    class Meta:
        verbose_name = _("major-incident report")
        verbose_name_plural = _("major-incident reports")

    def __str__(self):
        return str(self.major_incident)
