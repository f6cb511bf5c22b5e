from django.contrib import admin

from .models import PriorityCell


@admin.register(PriorityCell)
class PriorityCellAdmin(admin.ModelAdmin):
    list_display = ["urgency", "impact", "priority"]
    list_editable = ["priority"]
    list_filter = ["urgency", "impact"]

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return PriorityCell.objects.count() < 12
