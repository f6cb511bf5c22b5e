from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from opsdesk.core.choices import CustomerClass, Tier

from . import calendar
from .choices import EscalationLevel, Impact, Priority, Urgency


def priority_field():
    return models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
    )


def priority_1_to_4(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=models.Q(priority__gte=1, priority__lte=4),
                                  name=name)


class PriorityCell(models.Model):
    """One cell of the priority matrix; seeded from seed 004, editable in the admin."""

    impact = models.CharField(_("impact"), max_length=10, choices=Impact.choices)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices)
    priority = models.PositiveSmallIntegerField(
        _("priority"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )

    class Meta:
        ordering = ["urgency", "impact"]
        constraints = [
            models.UniqueConstraint(fields=["impact", "urgency"], name="priority_cell_unique"),
            models.CheckConstraint(
                condition=models.Q(priority__gte=1, priority__lte=4), name="priority_in_range"
            ),
        ]
        verbose_name = _("priority matrix cell")
        verbose_name_plural = _("priority matrix")

    def __str__(self):
        return f"{self.get_impact_display()} × {self.get_urgency_display()} → P{self.priority}"


class ExceptionKind(models.TextChoices):
    HOLIDAY = "holiday", _("extra holiday (closed)")
    WORKDAY = "workday", _("extra working day (open)")


class BusinessCalendar(models.Model):
    """When SLA clocks run: 7×24 or working hours, with holidays (INC-09, SLM-02).
    Rows are configuration; `queries.load_calendar` turns one into the pure
    `calendar.BusinessCalendar` the arithmetic uses."""

    code = models.SlugField(
        _("code"), max_length=40, unique=True,
        help_text=_("A stable identifier for seeds and the API; the name may change."),
    )
    name = models.CharField(_("name"), max_length=100, unique=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Shanghai",
        help_text=_("An IANA zone name such as Asia/Shanghai."),
    )
    is_24x7 = models.BooleanField(
        _("around the clock (7×24)"), default=False,
        help_text=_("Always open: working hours, holidays and exceptions do not apply."),
    )
    uses_chinese_holidays = models.BooleanField(
        _("Chinese public holidays"), default=False,
        help_text=_("Closed on the official public holidays; open on the official make-up "
                    "working days, with Monday's working hours."),
    )
    # {"mon": ["09:00-12:00", "13:00-18:00"], …}: the admin edits one line per weekday.
    working_hours = models.JSONField(_("working hours"), default=dict, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")

    def __str__(self):
        return self.name

    def clean(self):
        try:
            calendar.zone_named(self.time_zone)
        except calendar.CalendarError as error:
            raise ValidationError({"time_zone": str(error)}) from None
        try:
            self.to_calendar()
        except calendar.CalendarError as error:
            raise ValidationError(str(error)) from None

    def to_calendar(self, exceptions=()) -> calendar.BusinessCalendar:
        """The pure calendar, given this calendar's (date, kind) exceptions."""
        exceptions = list(exceptions)
        return calendar.BusinessCalendar(
            name=self.name,
            time_zone=self.time_zone,
            is_24x7=self.is_24x7,
            week=calendar.week_from_dict(self.working_hours),
            uses_chinese_holidays=self.uses_chinese_holidays,
            extra_holidays=frozenset(
                day for day, kind in exceptions if kind == ExceptionKind.HOLIDAY
            ),
            extra_workdays=frozenset(
                day for day, kind in exceptions if kind == ExceptionKind.WORKDAY
            ),
        )


class CalendarException(models.Model):
    """A local date on which one calendar departs from its rules: a company
    holiday, or a working day the official schedule does not know yet."""

    calendar = models.ForeignKey(
        BusinessCalendar, verbose_name=_("calendar"), on_delete=models.CASCADE,
        related_name="exceptions",
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=ExceptionKind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        ordering = ["calendar", "date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="calendar_exception_unique"),
        ]
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")

    def __str__(self):
        return f"{self.date.isoformat()} {self.get_kind_display()}"


class SlaPolicy(models.Model):
    """Response and resolution targets for one priority (SLM-02), optionally
    only for one service or one customer class. The most specific policy
    that matches an incident applies (`queries.policy_for`); when its clock
    starts, the incident keeps a snapshot, so editing a policy here changes
    the clocks of incidents logged afterwards only."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    priority = priority_field()
    customer_class = models.CharField(
        _("customer class"), max_length=10, choices=CustomerClass.choices, blank=True,
        help_text=_("Empty: customers of any class."),
    )
    service = models.ForeignKey(
        "core.Service", verbose_name=_("service"), null=True, blank=True,
        on_delete=models.CASCADE, help_text=_("Empty: any service."),
    )
    response_minutes = models.PositiveIntegerField(
        _("response target (minutes)"), validators=[MinValueValidator(1)]
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution target (minutes)"), validators=[MinValueValidator(1)]
    )
    calendar = models.ForeignKey(
        BusinessCalendar, verbose_name=_("business calendar"), on_delete=models.PROTECT,
        related_name="policies",
    )
    near_breach_percent = models.PositiveSmallIntegerField(
        _("near breach at (%)"), default=80,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
        help_text=_("Share of a target after which the ticket counts as near its limit."),
    )

    class Meta:
        ordering = ["priority", "service", "customer_class"]
        constraints = [
            models.UniqueConstraint(
                fields=["priority", "customer_class", "service"], name="sla_policy_unique",
                condition=models.Q(service__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["priority", "customer_class"], name="sla_policy_unique_any_service",
                condition=models.Q(service__isnull=True),
            ),
            priority_1_to_4("sla_policy_priority_1_4"),
            models.CheckConstraint(
                condition=models.Q(near_breach_percent__gte=1, near_breach_percent__lte=99),
                name="sla_policy_near_breach_1_99",
            ),
        ]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self):
        return self.name


class EscalationStep(models.Model):
    """One step of the hierarchical escalation matrix (INC-11): for incidents
    of `priority`, notify `level` once `after_minutes` of business time have
    run on the ticket's SLA clock since registration. Seeded from seed 004;
    each incident keeps a snapshot of the steps from when its clock started."""

    priority = priority_field()
    level = models.CharField(_("notify"), max_length=30, choices=EscalationLevel.choices)
    after_minutes = models.PositiveIntegerField(
        _("after (minutes)"), validators=[MinValueValidator(1)],
        help_text=_("Business time on the ticket's SLA calendar since registration."),
    )

    class Meta:
        ordering = ["priority", "after_minutes", "id"]
        constraints = [
            models.UniqueConstraint(fields=["priority", "level"], name="escalation_step_unique"),
            priority_1_to_4("escalation_step_priority_1_4"),
        ]
        verbose_name = _("escalation step")
        verbose_name_plural = _("escalation matrix")

    def __str__(self):
        return f"P{self.priority} {self.get_level_display()} +{self.after_minutes}"


class OlaTarget(models.Model):
    """An operational-level target (运营水平协议, OLA) of one support tier for
    one priority: a team at that tier must hand the ticket over, or resolve
    it, within `minutes` of business time on `calendar` after it got it.
    A team's stint keeps a snapshot of the row, so edits apply to tickets
    handed to a team afterwards."""

    tier = models.CharField(_("support tier"), max_length=20, choices=Tier.choices)
    priority = priority_field()
    minutes = models.PositiveIntegerField(
        _("hand over or resolve within (minutes)"), validators=[MinValueValidator(1)],
    )
    # On-site tier: how long the engineer has to reach the customer once
    # dispatched, in business time on the incident's SLA calendar.
    arrival_minutes = models.PositiveIntegerField(
        _("arrive on site within (minutes)"), null=True, blank=True,
        validators=[MinValueValidator(1)],
    )
    calendar = models.ForeignKey(
        BusinessCalendar, verbose_name=_("business calendar"), on_delete=models.PROTECT,
        related_name="ola_targets",
    )

    class Meta:
        ordering = ["tier", "priority"]
        constraints = [
            models.UniqueConstraint(fields=["tier", "priority"], name="ola_target_unique"),
            priority_1_to_4("ola_target_priority_1_4"),
            models.CheckConstraint(condition=~models.Q(tier=Tier.VENDOR),
                                   name="ola_target_not_vendor"),
        ]
        verbose_name = _("OLA target")
        verbose_name_plural = _("OLA targets")

    def __str__(self):
        return f"{self.get_tier_display()} P{self.priority}"

    def clean(self):
        if self.tier == Tier.VENDOR:
            raise ValidationError({"tier": _(
                "Vendors are bound by underpinning contracts, not by OLA targets.")})
        if self.arrival_minutes is not None and self.tier != Tier.ONSITE:
            raise ValidationError({"arrival_minutes": _(
                "Only on-site engineers have an arrival time.")})


class UnderpinningContract(models.Model):
    """An underpinning-contract target (支持合同, UC) of one vendor for one
    priority: respond within `response_minutes` once the ticket is assigned
    to the vendor, resolve (or hand back) within `resolution_minutes`, on
    `calendar`. The resolution target also runs while a ticket waits on the
    vendor. Stints keep a snapshot, as with OLA targets."""

    vendor = models.ForeignKey(
        "core.Team", verbose_name=_("vendor"), on_delete=models.CASCADE,
        related_name="underpinning_contracts", limit_choices_to={"tier": Tier.VENDOR},
    )
    reference = models.CharField(_("contract reference"), max_length=100)
    priority = priority_field()
    response_minutes = models.PositiveIntegerField(
        _("respond within (minutes)"), validators=[MinValueValidator(1)],
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolve within (minutes)"), validators=[MinValueValidator(1)],
    )
    calendar = models.ForeignKey(
        BusinessCalendar, verbose_name=_("business calendar"), on_delete=models.PROTECT,
        related_name="underpinning_contracts",
    )

    class Meta:
        ordering = ["vendor", "priority"]
        constraints = [
            models.UniqueConstraint(fields=["vendor", "priority"], name="uc_target_unique"),
            priority_1_to_4("uc_target_priority_1_4"),
        ]
        verbose_name = _("underpinning contract target")
        verbose_name_plural = _("underpinning contracts")

    def __str__(self):
        return f"{self.vendor} {self.reference} P{self.priority}"

    def clean(self):
        if self.vendor_id is not None and self.vendor.tier != Tier.VENDOR:
            raise ValidationError({"vendor": _("Choose a team of the third-party vendor tier.")})
