from django.contrib import admin

from opsdesk.core import clock
from opsdesk.core.admin import ReadOnlyAdmin

from .models import BlackoutWindow, Change, StandardChange


@admin.register(StandardChange)
class StandardChangeAdmin(admin.ModelAdmin):
    list_display = ["name", "implementer_team", "active"]
    list_filter = ["active"]
    search_fields = ["name"]


@admin.register(BlackoutWindow)
class BlackoutWindowAdmin(admin.ModelAdmin):
    list_display = ["name", "start", "end"]
    search_fields = ["name"]
    filter_horizontal = ["services", "cis"]

    def save_model(self, request, obj, form, change):
        if obj.created_by_id is None:
            obj.created_by = request.user
        if obj.created_at is None:
            obj.created_at = clock.now()
        super().save_model(request, obj, form, change)


@admin.register(Change)
class ChangeAdmin(ReadOnlyAdmin):
    """Read-only: changes move only through their actions (the console and
    the API), so that every step is checked and lands on the timeline."""

    list_display = ["number", "title", "kind", "state", "risk_level", "planned_start"]
    list_filter = ["state", "kind", "risk_level"]
    search_fields = ["number", "title"]
