from django.contrib import admin
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from opsdesk.core.admin import ReadOnlyAdmin

from .models import FailingAddress, InboundMessage, Mailbox


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    list_display = ["name", "address", "imap_host", "imap_folder", "team", "active",
                    "last_polled_at", "last_error"]
    list_filter = ["active"]
    search_fields = ["name", "address"]
    readonly_fields = ["next_poll_at", "last_polled_at", "last_error"]
    fieldsets = [
        (None, {"fields": ["name", "address", "active"]}),
        (_("IMAP (leave the server empty for an MTA pipe)"), {"fields": [
            "imap_host", "imap_port", "imap_ssl", "imap_folder", "imap_username",
            "imap_password_env", "imap_password_file", "processed_folder"]}),
        (_("New incidents"), {"fields": ["team", "category", "customer", "impact", "urgency"]}),
        (_("Polling"), {"fields": ["next_poll_at", "last_polled_at", "last_error"]}),
    ]


@admin.register(InboundMessage)
class InboundMessageAdmin(ReadOnlyAdmin):
    """Read-only: what intake received and what became of it, with the
    original message to download."""

    list_display = ["received_at", "mailbox", "sender", "subject", "outcome", "incident"]
    list_filter = ["outcome", "mailbox"]
    search_fields = ["message_id", "sender", "subject"]
    list_select_related = ["mailbox", "incident"]
    date_hierarchy = "received_at"
    show_full_result_count = False
    exclude = ["raw"]
    readonly_fields = ["download"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("raw")

    @admin.display(description=_("raw message"))
    def download(self, inbound):
        url = reverse("admin:mail_inboundmessage_raw", args=[inbound.pk])
        return format_html('<a href="{}">{}</a>', url, _("Download (.eml)"))

    def get_urls(self):
        raw = path("<int:pk>/raw/", self.admin_site.admin_view(self.raw_view),
                   name="mail_inboundmessage_raw")
        return [raw, *super().get_urls()]

    def raw_view(self, request, pk):
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        inbound = get_object_or_404(InboundMessage, pk=pk)
        # A download, never rendered: the mail may carry HTML or scripts.
        response = HttpResponse(bytes(inbound.raw), content_type="application/octet-stream")
        response["Content-Disposition"] = f'attachment; filename="inbound-{inbound.pk}.eml"'
        response["X-Content-Type-Options"] = "nosniff"
        return response


@admin.register(FailingAddress)
class FailingAddressAdmin(admin.ModelAdmin):
    """Delete a row to send mail to that address again."""

    list_display = ["address", "bounces", "first_bounce_at", "last_bounce_at", "reason"]
    search_fields = ["address"]
    readonly_fields = ["address", "bounces", "first_bounce_at", "last_bounce_at",
                       "notification", "reason"]

    def has_add_permission(self, request):
        return False
