from django.contrib import admin

from opsdesk.core import clock, timeline
from opsdesk.core.admin import ReadOnlyAdmin

from .models import ContingencyPlan, MajorIncident, PlanContact, PlanDrill, PlanStep


class ContactInline(admin.TabularInline):
    model = PlanContact
    extra = 1


class StepInline(admin.TabularInline):
    model = PlanStep
    extra = 1


class DrillInline(admin.TabularInline):
    model = PlanDrill
    extra = 0


@admin.register(ContingencyPlan)
class ContingencyPlanAdmin(admin.ModelAdmin):
    list_display = ("name", "updated_at")
    search_fields = ("name", "trigger_conditions")
    filter_horizontal = ("services",)
    autocomplete_fields = ("cis",)
    inlines = [ContactInline, StepInline, DrillInline]

    def save_model(self, request, obj, form, change):
        now = clock.now()
        obj.updated_at = now
        if change:
            obj.version += 1
        else:
            obj.created_at = now
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        """The plan's history says the admin changed it, like the console does."""
        super().save_related(request, form, formsets, change)
        timeline.record(form.instance, actor=request.user, source="admin",
                        kind="plan_updated" if change else "plan_created",
                        changes={"fields": [None, form.changed_data or None]})


@admin.register(MajorIncident)
class MajorIncidentAdmin(ReadOnlyAdmin):
    """A major incident changes only through its actions."""

    list_display = ("number", "status", "declared_at", "declared_by", "lifted_at")
    list_filter = ("status",)
    search_fields = ("number",)
