from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from opsdesk.core.choices import Tier
from opsdesk.sla.choices import Impact, Priority, Urgency

from .choices import (
    AUTO_CLOSE_CHANNELS,
    CLOSABLE_WITHOUT_CONFIRMATION,
    Channel,
    ClosureCode,
    Kind,
    Status,
    WaitingOn,
)

USER = settings.AUTH_USER_MODEL


def _label(choices: type[models.Choices], value) -> str:
    """What get_FOO_display shows for `value`: its label, else the value."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


class Incident(models.Model):
    """An incident record (事件单) with every field of INC-02."""

    TIMELINE_TYPE = "incident"

    number = models.CharField(_("number"), max_length=24, unique=True, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.FAULT)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    symptoms = models.TextField(_("symptoms"), blank=True)

    # Reporter and contact details (报告人及联系方式).
    requester = models.ForeignKey(
        USER, verbose_name=_("requester account"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="requested_incidents",
    )
    reporter_name = models.CharField(_("reporter"), max_length=100, blank=True)
    reporter_email = models.EmailField(_("reporter e-mail"), blank=True)
    reporter_phone = models.CharField(_("reporter phone"), max_length=40, blank=True)
    customer = models.ForeignKey(
        "core.Customer", verbose_name=_("customer"), null=True, blank=True,
        on_delete=models.PROTECT,
    )
    contract = models.ForeignKey(
        "core.Contract", verbose_name=_("contract"), null=True, blank=True,
        on_delete=models.PROTECT,
    )
    is_vip = models.BooleanField(_("VIP"), default=False)

    occurred_at = models.DateTimeField(_("occurred at"))
    registered_at = models.DateTimeField(_("registered at"), editable=False)
    created_by = models.ForeignKey(
        USER, verbose_name=_("registered by"), null=True, on_delete=models.PROTECT,
        related_name="+", editable=False,
    )
    updated_at = models.DateTimeField(_("updated at"), editable=False)

    category = models.ForeignKey(
        "core.Category", verbose_name=_("category"), null=True, blank=True,
        on_delete=models.PROTECT,
    )
    system_type = models.CharField(_("system type"), max_length=100, blank=True)
    ci = models.ForeignKey(
        "core.ConfigurationItem", verbose_name=_("configuration item"), null=True, blank=True,
        on_delete=models.PROTECT,
    )
    service = models.ForeignKey(
        "core.Service", verbose_name=_("service"), null=True, blank=True,
        on_delete=models.PROTECT,
    )

    impact = models.CharField(_("impact"), max_length=10, choices=Impact.choices)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices)
    matrix_priority = models.PositiveSmallIntegerField(
        _("matrix priority"), choices=Priority.choices
    )
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices)
    priority_override = models.PositiveSmallIntegerField(
        _("priority override"), choices=Priority.choices, null=True, blank=True
    )
    priority_override_reason = models.TextField(_("reason for priority override"), blank=True)
    priority_override_by = models.ForeignKey(
        USER, verbose_name=_("priority confirmed by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    priority_override_at = models.DateTimeField(_("priority confirmed at"), null=True, blank=True)

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    waiting_on = models.CharField(
        _("waiting on"), max_length=20, choices=WaitingOn.choices, blank=True
    )
    team = models.ForeignKey(
        "core.Team", verbose_name=_("assigned team"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="incidents",
    )
    assignee = models.ForeignKey(
        USER, verbose_name=_("assignee"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="assigned_incidents",
    )
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    first_accepted_at = models.DateTimeField(_("first accepted at"), null=True, blank=True)
    reassignment_count = models.PositiveIntegerField(_("reassignments"), default=0)
    transferred_to_vendor_at = models.DateTimeField(
        _("transferred to third party at"), null=True, blank=True
    )

    solution = models.TextField(_("solution"), blank=True)
    closure_code = models.CharField(
        _("closure code"), max_length=30, choices=ClosureCode.choices, blank=True
    )
    business_recovered_at = models.DateTimeField(
        _("business recovered at"), null=True, blank=True
    )
    failure_vendor = models.CharField(_("failure vendor"), max_length=100, blank=True)
    resolver_role = models.CharField(
        _("resolver role"), max_length=20, choices=Tier.choices, blank=True
    )
    resolved_by = models.ForeignKey(
        USER, verbose_name=_("resolved by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    resolved_team = models.ForeignKey(
        "core.Team", verbose_name=_("resolving team"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    resolved_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    needs_problem = models.BooleanField(_("needs a problem record"), default=False)

    duplicate_of = models.ForeignKey(
        "self", verbose_name=_("duplicate of"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="duplicates",
    )
    copied_from = models.OneToOneField(
        "self", verbose_name=_("copied from"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="copy",
    )

    satisfaction_score = models.PositiveSmallIntegerField(
        _("satisfaction"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    complaint_count = models.PositiveIntegerField(_("complaints"), default=0)

    # SLA clocks (INC-09): set by incidents.clocks, read by the console and
    # the sweep. `sla_snapshot` keeps the policy and calendar that applied
    # when the clock started (or the priority last changed). A null
    # resolution deadline on an unresolved incident means its clock stands
    # still: pending on the requester.
    sla_snapshot = models.JSONField(_("SLA policy applied"), default=dict, blank=True,
                                    editable=False)
    response_due_at = models.DateTimeField(_("response due at"), null=True, blank=True,
                                           editable=False)
    response_near_at = models.DateTimeField(_("response near breach at"), null=True, blank=True,
                                            editable=False)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True,
                                        editable=False)
    response_breached = models.BooleanField(_("response target missed"), default=False,
                                            editable=False)
    resolve_due_at = models.DateTimeField(_("resolution due at"), null=True, blank=True,
                                          editable=False)
    resolve_near_at = models.DateTimeField(_("resolution near breach at"), null=True,
                                           blank=True, editable=False)
    resolve_breached = models.BooleanField(_("resolution target missed"), default=False,
                                           editable=False)
    sla_paused_seconds = models.PositiveIntegerField(
        _("SLA paused (business seconds)"), default=0, editable=False
    )
    # The earliest instant an escalation step is due (incidents.escalations);
    # null when none is pending. The sweep reads it by index.
    next_escalation_at = models.DateTimeField(_("next escalation at"), null=True, blank=True,
                                              editable=False)
    major_incident_offered = models.BooleanField(
        _("major incident suggested"), default=False, editable=False,
        help_text=_("Set when a priority 1 incident escalated: the incident manager decides "
                    "whether to declare a major incident."),
    )

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        indexes = [
            models.Index(fields=["status", "id"], name="incident_status_id"),
            models.Index(fields=["team", "status", "id"], name="incident_team_status"),
            models.Index(fields=["assignee", "status", "id"], name="incident_assignee_status"),
            models.Index(fields=["requester", "id"], name="incident_requester"),
            models.Index(fields=["customer", "status"], name="incident_customer_status"),
            models.Index(fields=["registered_at"], name="incident_registered"),
            models.Index(fields=["occurred_at"], name="incident_occurred"),
            models.Index(fields=["closed_at"], name="incident_closed_at"),
            models.Index(
                fields=["priority", "id"], name="incident_open_priority",
                condition=~models.Q(status="closed"),
            ),
            models.Index(
                fields=["id"], name="incident_unassigned",
                condition=models.Q(team=None) & ~models.Q(status="closed"),
            ),
            # What a sweep looks for: running clocks whose instant has come.
            models.Index(fields=["response_due_at"], name="incident_response_due",
                         condition=models.Q(responded_at=None, response_breached=False)),
            models.Index(fields=["response_near_at"], name="incident_response_near",
                         condition=models.Q(responded_at=None)),
            models.Index(fields=["resolve_due_at"], name="incident_resolve_due",
                         condition=models.Q(resolved_at=None, resolve_breached=False)),
            models.Index(fields=["resolve_near_at"], name="incident_resolve_near",
                         condition=models.Q(resolved_at=None)),
            models.Index(fields=["next_escalation_at"], name="incident_next_escalation",
                         condition=~models.Q(status="closed")),
            # Service availability: the faults not yet recovered by a period's start.
            models.Index(Coalesce("business_recovered_at", "resolved_at"),
                         name="incident_fault_recovered",
                         condition=models.Q(kind="fault", duplicate_of=None)),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(priority__gte=1, priority__lte=4), name="incident_priority_1_4"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="closed") | ~models.Q(closure_code=""),
                name="incident_closed_has_code",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("incidents:detail", args=[self.number])

    # Django's get_FOO_display translates every choice into a new dict per
    # call; notifications show these for each ticket the SLA sweep escalates.
    def get_priority_display(self) -> str:
        return _label(Priority, self.priority)

    def get_status_display(self) -> str:
        return _label(Status, self.status)

    @property
    def is_closed(self) -> bool:
        return self.status == Status.CLOSED

    @property
    def is_duplicate(self) -> bool:
        return self.duplicate_of_id is not None

    @property
    def closes_on_resolution(self) -> bool:
        return self.channel in AUTO_CLOSE_CHANNELS

    @property
    def needs_requester_confirmation(self) -> bool:
        return self.channel not in CLOSABLE_WITHOUT_CONFIRMATION

    @property
    def status_badge(self) -> str:
        return Status(self.status).badge


class SlaPause(models.Model):
    """An interval an incident spent pending. Waiting on the requester stops
    the resolution clock; waiting on a vendor does not, but the interval is
    kept for the vendor's own target."""

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="pauses",
    )
    waiting_on = models.CharField(_("waiting on"), max_length=20, choices=WaitingOn.choices)
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    business_seconds = models.PositiveIntegerField(
        _("business time (seconds)"), null=True, blank=True,
        help_text=_("Measured on the incident's SLA calendar when the pause ends."),
    )

    class Meta:
        ordering = ["incident", "started_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["incident"], condition=models.Q(ended_at=None),
                                    name="sla_pause_one_open"),
        ]
        verbose_name = _("SLA pause")
        verbose_name_plural = _("SLA pauses")

    def __str__(self):
        return f"{self.incident_id} {self.get_waiting_on_display()} {self.started_at:%Y-%m-%d}"



class StintKind(models.TextChoices):
    ASSIGNED = "assigned", _("assigned to the team")
    PENDING_ON_VENDOR = "pending_on_vendor", _("pending on the vendor")


class StintEnd(models.TextChoices):
    HANDED_OVER = "handed_over", _("handed over")
    RESOLVED = "resolved", _("resolved")
    TAKEN_OVER = "taken_over", _("taken over by the incident manager")
    RETURNED = "returned", _("the vendor answered")


class TeamStint(models.Model):
    """A stretch of time one team held the incident (assigned to it), or one
    vendor held it up (the incident pending on that vendor), measured against
    the team's OLA target or the vendor's underpinning contract as they were
    when the stint started (`target`, with its calendar). incidents.stints
    opens, pauses and ends them; sla.compliance counts them per team."""

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="stints",
    )
    team = models.ForeignKey(
        "core.Team", verbose_name=_("team"), on_delete=models.PROTECT, related_name="stints",
    )
    tier = models.CharField(_("support tier"), max_length=20, choices=Tier.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=StintKind.choices)
    target = models.JSONField(_("target applied"), default=dict, blank=True)
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    end_reason = models.CharField(_("ended by"), max_length=20, choices=StintEnd.choices,
                                  blank=True)
    # Null while paused (the ticket pending) or when no target applies.
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    response_due_at = models.DateTimeField(_("response due at"), null=True, blank=True)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(_("paused (business seconds)"), default=0)
    breached = models.BooleanField(_("target missed"), default=False)
    # On-site stints only (seed 004: 规定时间内到达客户现场): when the engineer
    # arrived, and by when they had to, from the OLA target's arrival time.
    arrived_at = models.DateTimeField(_("arrived on site at"), null=True, blank=True)
    arrival_due_at = models.DateTimeField(_("arrival due at"), null=True, blank=True)

    class Meta:
        ordering = ["incident", "started_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "kind"],
                                    condition=models.Q(ended_at=None),
                                    name="team_stint_one_open_per_kind"),
        ]
        indexes = [
            # Compliance per team and period: one range scan, grouped by team.
            models.Index(fields=["ended_at", "team"], name="team_stint_ended_team"),
            # What a sweep would look for: running stints whose target has passed.
            models.Index(fields=["due_at"], name="team_stint_running_due",
                         condition=models.Q(ended_at=None)),
        ]
        verbose_name = _("team stint")
        verbose_name_plural = _("team stints")

    def __str__(self):
        return f"{self.incident_id} {self.team_id} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def is_vendor_contract(self) -> bool:
        return self.tier == Tier.VENDOR


class Escalation(models.Model):
    """A step of escalation that fired for an incident: at most once per key
    (the unique constraint is what makes it exactly once across workers)."""

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE,
        related_name="escalations",
    )
    key = models.CharField(_("step"), max_length=40)
    level = models.CharField(_("escalated to"), max_length=30)
    fired_at = models.DateTimeField(_("fired at"))
    reason = models.TextField(_("reason"))

    class Meta:
        ordering = ["incident", "fired_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "key"], name="escalation_once"),
        ]
        indexes = [models.Index(fields=["fired_at"], name="escalation_fired_at")]
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")

    def __str__(self):
        return f"{self.incident_id} {self.key}"


def attachment_path(instance, filename):
    return f"incidents/{instance.incident.number}/{filename}"


class Attachment(models.Model):
    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.PROTECT,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to=attachment_path)
    name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"))
    public = models.BooleanField(_("visible to requester"), default=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.name
