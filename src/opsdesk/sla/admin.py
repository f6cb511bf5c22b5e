from django import forms
from django.contrib import admin
from django.utils.dates import WEEKDAYS as WEEKDAY_NAMES
from django.utils.translation import gettext_lazy as _

from . import calendar
from .models import (
    BusinessCalendar,
    CalendarException,
    EscalationStep,
    OlaTarget,
    PriorityCell,
    SlaPolicy,
    UnderpinningContract,
)


@admin.register(PriorityCell)
class PriorityCellAdmin(admin.ModelAdmin):
    list_display = ["urgency", "impact", "priority"]
    list_editable = ["priority"]
    list_filter = ["urgency", "impact"]

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return PriorityCell.objects.count() < 12


def weekday_hours_field(number: int) -> forms.CharField:
    return forms.CharField(
        label=WEEKDAY_NAMES[number], required=False,
        help_text=_("e.g. 09:00-12:00, 13:00-18:00; empty means closed"),
    )


class BusinessCalendarForm(forms.ModelForm):
    """Working hours as one line per weekday ("09:00-12:00, 13:00-18:00")
    instead of the JSON they are stored as."""

    mon = weekday_hours_field(0)
    tue = weekday_hours_field(1)
    wed = weekday_hours_field(2)
    thu = weekday_hours_field(3)
    fri = weekday_hours_field(4)
    sat = weekday_hours_field(5)
    sun = weekday_hours_field(6)

    class Meta:
        model = BusinessCalendar
        fields = ["name", "code", "time_zone", "is_24x7", "uses_chinese_holidays"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        hours = self.instance.working_hours or {}
        for day in calendar.WEEKDAYS:
            self.initial.setdefault(day, ", ".join(hours.get(day, [])))
        first, last = calendar.OFFICIAL_YEARS[0], calendar.OFFICIAL_YEARS[-1]
        self.fields["uses_chinese_holidays"].help_text = _(
            "Closed on the official public holidays; open on the official make-up working "
            "days, with Monday's working hours. Official schedules are known for %(first)s to "
            "%(last)s; other years follow the weekdays, so enter a newer notice as exceptions "
            "until the chinese-calendar package is upgraded."
        ) % {"first": first, "last": last}

    def clean(self):
        cleaned = super().clean()
        hours = {}
        for day in calendar.WEEKDAYS:
            try:
                periods = calendar.parse_periods(cleaned.get(day, ""))
            except calendar.CalendarError as error:
                self.add_error(day, str(error))
                continue
            if periods:
                hours[day] = [str(period) for period in periods]
        # Set before the model's own clean(), which checks the week as a whole.
        self.instance.working_hours = hours
        return cleaned


class CalendarExceptionInline(admin.TabularInline):
    model = CalendarException
    extra = 0
    fields = ["date", "kind", "name"]


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    form = BusinessCalendarForm
    list_display = ["name", "code", "time_zone", "is_24x7", "uses_chinese_holidays"]
    search_fields = ["name", "code"]
    inlines = [CalendarExceptionInline]
    fieldsets = [
        (None, {"fields": ["name", "code", "time_zone", "is_24x7", "uses_chinese_holidays"]}),
        (_("Working hours"), {"fields": list(calendar.WEEKDAYS)}),
    ]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "priority", "customer_class", "service", "response_minutes",
                    "resolution_minutes", "calendar", "near_breach_percent"]
    list_filter = ["priority", "customer_class", "calendar"]
    list_select_related = ["service", "calendar"]
    search_fields = ["name"]


@admin.register(EscalationStep)
class EscalationStepAdmin(admin.ModelAdmin):
    """The hierarchical matrix (INC-11). Incidents keep the steps they started
    with: an edit here applies to incidents logged afterwards."""

    list_display = ["priority", "level", "after_minutes"]
    list_editable = ["after_minutes"]
    list_filter = ["priority", "level"]


@admin.register(OlaTarget)
class OlaTargetAdmin(admin.ModelAdmin):
    """Per support tier and priority: hand over or resolve within. A team's
    stint keeps the target it started with: an edit applies to later stints."""

    list_display = ["tier", "priority", "minutes", "arrival_minutes", "calendar"]
    list_editable = ["minutes", "arrival_minutes", "calendar"]
    list_filter = ["tier", "priority", "calendar"]
    list_select_related = ["calendar"]


@admin.register(UnderpinningContract)
class UnderpinningContractAdmin(admin.ModelAdmin):
    """Per vendor and priority: respond and resolve within, by contract."""

    list_display = ["vendor", "reference", "priority", "response_minutes",
                    "resolution_minutes", "calendar"]
    list_editable = ["response_minutes", "resolution_minutes", "calendar"]
    list_filter = ["vendor", "priority", "calendar"]
    list_select_related = ["vendor", "calendar"]
    search_fields = ["reference", "vendor__name"]
