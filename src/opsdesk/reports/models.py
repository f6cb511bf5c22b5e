from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .kpi_snapshot_models import KpiSnapshot  # noqa: F401  (the app's models)

USER = settings.AUTH_USER_MODEL


class ReportState(models.TextChoices):
    PENDING = "pending", _("Waiting to be generated")
    READY = "ready", _("Ready")


class GeneratedReport(models.Model):
    """The monthly service report (RPT-01) of one month and one scope: the
    whole service (no customer) or one customer. At most one row per month
    and scope, whoever asks and however many workers run: the constraints
    below are what makes generation idempotent. A pending row is waiting for
    the worker; its files are written in the transaction that makes it ready,
    so a crash leaves it pending, never half written."""

    TIMELINE_TYPE = "monthly_report"

    month = models.DateField(_("month"), help_text=_("The first day of the month reported on."))
    customer = models.ForeignKey(
        "core.Customer", verbose_name=_("customer"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="+",
        help_text=_("Empty for the report of the whole service."),
    )
    state = models.CharField(_("state"), max_length=10, choices=ReportState.choices,
                             default=ReportState.PENDING)
    requested_at = models.DateTimeField(_("requested at"))
    requested_by = models.ForeignKey(
        USER, verbose_name=_("requested by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    # The scheduled run mails the subscribers; a regeneration on demand does not.
    mail_subscribers = models.BooleanField(_("mail the subscribers"), default=False)
    generated_at = models.DateTimeField(_("generated at"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["-month", "customer__name"]
        constraints = [
            models.UniqueConstraint(fields=["month"], condition=models.Q(customer=None),
                                    name="monthly_report_once_for_service"),
            models.UniqueConstraint(fields=["month", "customer"],
                                    name="monthly_report_once_per_customer"),
        ]
        indexes = [
            models.Index(fields=["next_attempt_at"], name="monthly_report_due",
                         condition=models.Q(state="pending")),
        ]
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")

    def __str__(self):
        return f"{self.month:%Y-%m} {self.customer or _('whole service')}"

    def get_absolute_url(self):
        return monthly_url(self.month_slug, self.customer)

    @property
    def month_slug(self) -> str:
        return f"{self.month:%Y-%m}"

    @property
    def number(self) -> str:
        """How mail and the timeline name it, e.g. RPT-202610-huaxin."""
        suffix = f"-{self.customer.code}" if self.customer_id else ""
        return f"RPT-{self.month:%Y%m}{suffix}"

    def file_url(self, format: str) -> str:
        return monthly_url(self.month_slug, self.customer, format)


def monthly_url(month_slug: str, customer=None, format: str = "") -> str:
    """The report page of a month and scope, or one of its files."""
    url = (reverse("reports:monthly_file", args=[month_slug, format]) if format
           else reverse("reports:monthly", args=[month_slug]))
    return f"{url}?customer={customer.code}" if customer is not None else url


class ReportFormat(models.TextChoices):
    XLSX = "xlsx", "XLSX"
    PDF = "pdf", "PDF"


CONTENT_TYPES = {
    ReportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ReportFormat.PDF: "application/pdf",
}


class ReportFile(models.Model):
    """A generated file, kept in the database: it commits with its report,
    and every web process and worker reads the same bytes."""

    report = models.ForeignKey(GeneratedReport, verbose_name=_("report"),
                               on_delete=models.CASCADE, related_name="files")
    format = models.CharField(_("format"), max_length=10, choices=ReportFormat.choices)
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    content = models.BinaryField(_("content"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "format"], name="report_file_per_format"),
        ]
        verbose_name = _("report file")
        verbose_name_plural = _("report files")

    def __str__(self):
        return self.name

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]


class ReportSubscription(models.Model):
    """A user who wants the monthly report of a scope mailed when it is ready."""

    user = models.ForeignKey(USER, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="report_subscriptions")
    customer = models.ForeignKey(
        "core.Customer", verbose_name=_("customer"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="+",
        help_text=_("Empty for the report of the whole service."),
    )
    created_at = models.DateTimeField(_("subscribed at"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=models.Q(customer=None),
                                    name="report_subscription_once_for_service"),
            models.UniqueConstraint(fields=["user", "customer"],
                                    name="report_subscription_once_per_customer"),
        ]
        verbose_name = _("report subscription")
        verbose_name_plural = _("report subscriptions")

    def __str__(self):
        return f"{self.user} → {self.customer or _('whole service')}"
