"""Admin pages for CI types, their attributes, items and relationships.
Saving an item or a relationship goes through the actions, so the attribute
checks and the item's history apply here too."""

from django import forms
from django.contrib import admin

from opsdesk.core.models import ConfigurationItem

from . import actions
from .models import CiAttribute, CiRelationship, CiType

SOURCE = "admin"


class CiAttributeInline(admin.TabularInline):
    model = CiAttribute
    extra = 1


@admin.register(CiType)
class CiTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]
    inlines = [CiAttributeInline]


@admin.register(CiAttribute)
class CiAttributeAdmin(admin.ModelAdmin):
    list_display = ["ci_type", "key", "label", "kind", "required"]
    list_filter = ["ci_type", "kind", "required"]


class ConfigurationItemForm(forms.ModelForm):
    """Checks the draft the action will save, so errors show on the form."""

    class Meta:
        model = ConfigurationItem
        fields = ["name", "type", "status", "owner_team", "service", "customer", "location",
                  "vendor", "contract", "attributes"]

    def draft(self) -> actions.CiDraft:
        return actions.CiDraft(**{name: self.cleaned_data.get(name)
                                  for name in self.Meta.fields})

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        draft = self.draft()
        for name, message in actions.check_draft(
                draft, existing=self.instance if self.instance.pk else None).items():
            self.add_error(name if name in self.fields else "attributes", message)
        return cleaned


@admin.register(ConfigurationItem)
class ConfigurationItemAdmin(admin.ModelAdmin):
    form = ConfigurationItemForm
    list_display = ["name", "type", "status", "owner_team", "service", "customer"]
    list_filter = ["type", "status", "owner_team"]
    search_fields = ["name", "location", "vendor"]

    # The admin runs each save in its own transaction: the composable actions
    # join it, after the same permission check as their durable entry points.
    def save_model(self, request, obj, form, change):
        actions.require_editor(request.user)
        existing = ConfigurationItem.objects.select_for_update().get(pk=obj.pk) if change \
            else None
        obj.pk = actions.save_ci(form.draft(), actor=request.user, source=SOURCE,
                                 ci=existing).pk


@admin.register(CiRelationship)
class CiRelationshipAdmin(admin.ModelAdmin):
    list_display = ["source", "kind", "target"]
    list_filter = ["kind"]
    search_fields = ["source__name", "target__name"]
    raw_id_fields = ["source", "target"]

    def save_model(self, request, obj, form, change):
        actions.require_editor(request.user)
        if change:
            actions.unrelate(CiRelationship.objects.get(pk=obj.pk), actor=request.user,
                             source=SOURCE)
        obj.pk = actions.relate(obj.source, obj.kind, obj.target, actor=request.user,
                                source=SOURCE)[0].pk

    def delete_model(self, request, obj):
        actions.require_editor(request.user)
        actions.unrelate(obj, actor=request.user, source=SOURCE)

    def delete_queryset(self, request, queryset):
        for relationship in queryset.select_related("source", "target"):
            self.delete_model(request, relationship)
