from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from opsdesk.core.admin import ReadOnlyAdmin

from .models import Alert, AlertSource, Delivery, MaintenanceWindow, MappingRule


class MappingRuleInline(admin.TabularInline):
    model = MappingRule
    extra = 1
    fields = ["order", "label", "value", "is_regex", "ci", "service", "category", "impact",
              "urgency", "team"]


@admin.register(AlertSource)
class AlertSourceAdmin(admin.ModelAdmin):
    """Sources are created with `opsdesk alert-source create`, which shows
    the token once; here their defaults, windows and rules are edited."""

    list_display = ["name", "kind", "default_team", "storm_threshold", "active"]
    list_filter = ["kind", "active"]
    readonly_fields = ["name", "kind", "prefix", "service_user", "created_at"]
    inlines = [MappingRuleInline]
    fieldsets = [
        (None, {"fields": ["name", "kind", "prefix", "service_user", "active", "created_at"]}),
        (_("Incident defaults"), {"fields": ["default_team", "default_category",
                                             "default_customer", "default_impact",
                                             "default_urgency"]}),
        (_("Correlation"), {"fields": ["storm_window_seconds", "storm_threshold",
                                       "flap_window_seconds"]}),
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MaintenanceWindow)
class MaintenanceWindowAdmin(admin.ModelAdmin):
    list_display = ["__str__", "ci", "service", "starts_at", "ends_at", "reason"]
    list_filter = ["starts_at"]
    fields = ["ci", "service", "starts_at", "ends_at", "reason"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ["name", "host", "source", "status", "occurrences", "flaps", "last_seen_at",
                    "incident", "suppressed_by"]
    list_filter = ["source", "status"]
    search_fields = ["name", "host", "fingerprint"]
    list_select_related = ["source", "incident", "suppressed_by"]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "source", "alert_count", "outcome"]
    list_filter = ["source"]
