from django.contrib import admin

from opsdesk.core.admin import ReadOnlyAdmin

from .models import Incident


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    """Read-only: incidents change only through their actions (the console
    and the API), so that every change is checked and lands on the timeline."""

    list_display = ["number", "title", "status", "priority", "team", "assignee", "registered_at"]
    list_filter = ["status", "priority", "kind", "channel", "closure_code"]
    search_fields = ["number", "title"]
    list_select_related = ["team", "assignee"]
    show_full_result_count = False
