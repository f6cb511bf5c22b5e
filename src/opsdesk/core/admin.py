from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import (
    ApiToken,
    Category,
    ConfigurationItem,
    Contract,
    Customer,
    Service,
    Team,
    TimelineEvent,
    User,
)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "display_name", "role", "team", "customer", "is_active"]
    list_filter = ["role", "team", "is_active"]
    search_fields = ["username", "display_name", "email"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        (_("OpsDesk"), {"fields": ["display_name", "role", "team", "customer", "phone",
                                   "language"]}),
    ]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "tier", "lead", "email"]
    list_filter = ["tier"]


class ContractInline(admin.TabularInline):
    model = Contract
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "customer_class"]
    list_filter = ["customer_class"]
    search_fields = ["name", "code"]
    inlines = [ContractInline]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "owner_team"]
    search_fields = ["name", "code"]


@admin.register(ConfigurationItem)
class ConfigurationItemAdmin(admin.ModelAdmin):
    list_display = ["name", "ci_type", "owner_team", "service", "customer"]
    list_filter = ["ci_type", "owner_team"]
    search_fields = ["name"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["__str__", "parent"]
    search_fields = ["name"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "name", "created_at", "last_used_at"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        # Tokens are shown once at creation: `opsdesk token create --user NAME`.
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that change only through their actions (or never)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TimelineEvent)
class TimelineEventAdmin(ReadOnlyAdmin):
    list_display = ["subject_type", "subject_id", "at", "actor", "source", "kind"]
    list_filter = ["subject_type", "kind", "source"]
