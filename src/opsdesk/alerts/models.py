import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opsdesk.core.models import ApiToken
from opsdesk.sla.choices import Impact, Urgency

from .choices import AlertStatus, SourceKind

USER = settings.AUTH_USER_MODEL


class AlertSource(models.Model):
    """A monitoring system that posts alerts to /api/v1/alerts/<name> with its
    own bearer token (only the token's SHA-256 digest is stored). Incidents it
    raises are logged by its service user, an account nobody can sign in as."""

    name = models.SlugField(_("name"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=SourceKind.choices)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("token prefix"), max_length=12, editable=False)
    service_user = models.OneToOneField(
        USER, verbose_name=_("service user"), on_delete=models.PROTECT,
        related_name="alert_source", editable=False,
    )
    default_team = models.ForeignKey(
        "core.Team", verbose_name=_("default team"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    default_category = models.ForeignKey(
        "core.Category", verbose_name=_("default category"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    default_customer = models.ForeignKey(
        "core.Customer", verbose_name=_("default customer"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    default_impact = models.CharField(_("default impact"), max_length=10,
                                      choices=Impact.choices, default=Impact.MEDIUM)
    default_urgency = models.CharField(_("default urgency"), max_length=10,
                                       choices=Urgency.choices, default=Urgency.MEDIUM)
    storm_window_seconds = models.PositiveIntegerField(
        _("storm window (seconds)"), default=600, validators=[MinValueValidator(1)],
    )
    storm_threshold = models.PositiveIntegerField(
        _("storm threshold"), default=5, validators=[MinValueValidator(2)],
        help_text=_("This many alerts of one configuration item (or one alert group) "
                    "within the storm window become a single incident."),
    )
    flap_window_seconds = models.PositiveIntegerField(
        _("flap window (seconds)"), default=900,
        help_text=_("An alert that fires again this soon after its incident was closed "
                    "automatically opens no new incident."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("alert source")
        verbose_name_plural = _("alert sources")

    def __str__(self):
        return self.name

    @property
    def url_path(self) -> str:
        return f"/api/v1/alerts/{self.name}"

    def issue_token(self) -> str:
        """Set a new token (the old one stops working) and return it; shown once."""
        token = "oda_" + secrets.token_urlsafe(32)
        self.digest, self.prefix = ApiToken.digest_of(token), token[:8]
        return token


class MappingRule(models.Model):
    """When an alert's label (or tag) matches, the incident gets these fields.
    Rules are tried in order; for each field the first matching rule that
    sets it wins."""

    source = models.ForeignKey(AlertSource, verbose_name=_("source"), on_delete=models.CASCADE,
                               related_name="rules")
    order = models.PositiveIntegerField(_("order"), default=100)
    label = models.CharField(_("label or tag"), max_length=100)
    value = models.CharField(_("value"), max_length=300)
    is_regex = models.BooleanField(
        _("regular expression"), default=False,
        help_text=_("Match the whole value against this regular expression."),
    )
    ci = models.ForeignKey("core.ConfigurationItem", verbose_name=_("configuration item"),
                           null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey("core.Service", verbose_name=_("service"), null=True,
                                blank=True, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey("core.Category", verbose_name=_("category"), null=True,
                                 blank=True, on_delete=models.CASCADE, related_name="+")
    impact = models.CharField(_("impact"), max_length=10, choices=Impact.choices, blank=True)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices,
                               blank=True)
    team = models.ForeignKey("core.Team", verbose_name=_("team"), null=True, blank=True,
                             on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["source", "order", "id"]
        verbose_name = _("mapping rule")
        verbose_name_plural = _("mapping rules")

    def __str__(self):
        operator = "~" if self.is_regex else "="
        return f"{self.label}{operator}{self.value}"

    def clean(self):
        if self.is_regex:
            try:
                re.compile(self.value)
            except re.error as error:
                raise ValidationError(
                    {"value": _("Not a valid regular expression: %(error)s") % {"error": error}}
                ) from None


class MaintenanceWindow(models.Model):
    """A planned time during which alerts about a CI or service are recorded
    but raise no incident."""

    ci = models.ForeignKey("core.ConfigurationItem", verbose_name=_("configuration item"),
                           null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey("core.Service", verbose_name=_("service"), null=True,
                                blank=True, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    reason = models.TextField(_("reason"))
    created_by = models.ForeignKey(USER, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["ends_at", "starts_at"], name="maintenance_window_time")]
        constraints = [
            models.CheckConstraint(condition=~models.Q(ci=None) | ~models.Q(service=None),
                                   name="maintenance_window_has_target"),
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")),
                                   name="maintenance_window_ends_after_start"),
        ]
        verbose_name = _("maintenance window")
        verbose_name_plural = _("maintenance windows")

    def __str__(self):
        starts, ends = timezone.localtime(self.starts_at), timezone.localtime(self.ends_at)
        return f"{self.ci or self.service} {starts:%Y-%m-%d %H:%M} – {ends:%Y-%m-%d %H:%M}"

    def clean(self):
        if self.ci_id is None and self.service_id is None:
            raise ValidationError(_("Name a configuration item or a service."))
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The end must be after the start.")})


class AlertIncident(models.Model):
    """An incident raised by alerts: the correlation scope its alerts share
    (a CI, else the sender's alert group) and whether it gathers a storm."""

    incident = models.OneToOneField("incidents.Incident", verbose_name=_("incident"),
                                    on_delete=models.CASCADE, related_name="alert_origin")
    source = models.ForeignKey(AlertSource, verbose_name=_("source"), on_delete=models.PROTECT,
                               related_name="+")
    scope = models.CharField(_("correlation scope"), max_length=300)
    storm = models.BooleanField(_("alert storm"), default=False)
    opened_at = models.DateTimeField(_("opened at"))

    class Meta:
        indexes = [models.Index(fields=["source", "scope", "storm"], name="alert_incident_scope")]
        verbose_name = _("incident raised by alerts")
        verbose_name_plural = _("incidents raised by alerts")

    def __str__(self):
        return f"{self.incident_id} {self.scope}"


class Alert(models.Model):
    """One episode of an alert, identified by its fingerprint: repeats count
    occurrences on the same row. Once its incident is closed, a new firing
    starts a new row (`current` moves to it)."""

    # No index of their own on source and incident: alert_scope_recent and
    # alert_incident_status lead with them, and every index is work on each
    # of the intake's updates.
    source = models.ForeignKey(AlertSource, verbose_name=_("source"), on_delete=models.PROTECT,
                               related_name="alerts", db_index=False)
    fingerprint = models.CharField(_("fingerprint"), max_length=200)
    current = models.BooleanField(default=True, editable=False)
    name = models.CharField(_("alert"), max_length=200)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    host = models.CharField(_("host"), max_length=200, blank=True)
    severity = models.CharField(_("severity"), max_length=50, blank=True)
    scope = models.CharField(_("correlation scope"), max_length=300)
    status = models.CharField(_("status"), max_length=10, choices=AlertStatus.choices)
    labels = models.JSONField(_("labels"), default=dict, blank=True)
    annotations = models.JSONField(_("annotations"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=1000, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    first_seen_at = models.DateTimeField(_("first seen"))
    last_seen_at = models.DateTimeField(_("last seen"))
    occurrences = models.PositiveIntegerField(_("occurrences"), default=1)
    flaps = models.PositiveIntegerField(_("flaps"), default=0)
    incident = models.ForeignKey("incidents.Incident", verbose_name=_("incident"), null=True,
                                 blank=True, on_delete=models.PROTECT, related_name="alerts",
                                 db_index=False)
    suppressed_by = models.ForeignKey(
        MaintenanceWindow, verbose_name=_("suppressed by maintenance"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="alerts",
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "fingerprint"],
                                    condition=models.Q(current=True),
                                    name="alert_one_current_per_fingerprint"),
        ]
        indexes = [
            models.Index(fields=["incident", "status"], name="alert_incident_status"),
            models.Index(fields=["source", "scope", "first_seen_at"], name="alert_scope_recent"),
        ]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")

    def __str__(self):
        return f"{self.source_id}:{self.fingerprint} {self.status}"

    @property
    def status_badge(self) -> str:
        return AlertStatus(self.status).badge

    @property
    def link(self) -> str:
        """The sender's link to the alert, if it is a web address (never a
        javascript: or other scheme from a payload)."""
        return self.url if self.url.startswith(("https://", "http://")) else ""


class Delivery(models.Model):
    """One webhook call as received (its canonical JSON digest), so that the
    same call delivered again changes nothing."""

    source = models.ForeignKey(AlertSource, verbose_name=_("source"), on_delete=models.CASCADE,
                               related_name="deliveries")
    digest = models.CharField(max_length=64)
    received_at = models.DateTimeField(_("received at"))
    alert_count = models.PositiveIntegerField(_("alerts"))
    outcome = models.JSONField(_("outcome"), default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "digest"], name="alert_delivery_once"),
        ]
        indexes = [models.Index(fields=["received_at"], name="alert_delivery_received")]
        verbose_name = _("alert delivery")
        verbose_name_plural = _("alert deliveries")

    def __str__(self):
        return f"{self.source_id} {self.received_at:%Y-%m-%d %H:%M:%S}"
