import functools

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import outbox
from .models import (
    ApiToken,
    Category,
    Contract,
    Customer,
    DeliveryAttempt,
    DeliveryStatus,
    Notification,
    NotificationFile,
    NotificationPreference,
    NotificationTarget,
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


# Notifications (core/outbox.py) ----------------------------------------------

class NotificationTargetForm(forms.ModelForm):
    """The secret is write-only: the form never shows it, and leaving the
    field empty keeps the stored one."""

    secret = forms.CharField(
        label=_("secret"), required=False, strip=True,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Signing secret or bearer token. Leave empty to keep the current one."),
    )

    class Meta:
        model = NotificationTarget
        fields = ["name", "kind", "url", "secret", "address", "language", "enabled"]
        field_classes = {"url": functools.partial(forms.URLField, assume_scheme="https")}

    def clean_secret(self):
        return self.cleaned_data["secret"] or self.instance.secret


@admin.register(NotificationTarget)
class NotificationTargetAdmin(admin.ModelAdmin):
    form = NotificationTargetForm
    list_display = ["name", "kind", "url", "address", "secret_hint", "enabled"]
    list_filter = ["kind", "enabled"]
    search_fields = ["name"]

    @admin.display(description=_("secret"))
    def secret_hint(self, target):
        return "…" + target.secret[-4:] if len(target.secret) >= 12 else (
            "••••" if target.secret else "—")


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "channel", "enabled", "target"]
    list_filter = ["channel", "enabled"]
    search_fields = ["user__username", "user__display_name"]
    autocomplete_fields = ["user"]


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = readonly_fields = ["started_at", "finished_at", "outcome", "error", "worker"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(NotificationFile)
class NotificationFileAdmin(ReadOnlyAdmin):
    """Written with the notifications that carry them; removed with the last one."""

    list_display = ["name", "content_type", "size"]
    search_fields = ["name"]
    fields = ["name", "content_type", "size"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """Read-only: rows are written by the outbox; the only change an
    administrator makes is to give dead ones another set of tries."""

    list_display = ["created_at", "reference", "event", "channel", "recipient_or_target",
                    "language", "status", "attempts", "next_attempt_at", "delivered_at"]
    list_filter = ["status", "channel", "event"]
    search_fields = ["reference", "address"]
    list_select_related = ["recipient", "target"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    inlines = [DeliveryAttemptInline]
    actions = ["retry_dead"]

    @admin.display(description=_("recipient"))
    def recipient_or_target(self, notification):
        return notification.address or notification.target or notification.recipient

    def has_retry_permission(self, request):
        return request.user.has_perm("core.change_notification")

    @admin.action(description=_("Retry the selected dead notifications"), permissions=["retry"])
    def retry_dead(self, request, queryset):
        dead = list(queryset.filter(status=DeliveryStatus.DEAD))
        revived = outbox.retry(dead)
        for notification in dead:
            self.log_change(request, notification, [{"changed": {"fields": ["status"]}}])
        self.message_user(request, ngettext(
            "%(n)d notification will be sent again.",
            "%(n)d notifications will be sent again.", revived) % {"n": revived},
            messages.SUCCESS if revived else messages.WARNING)
