"""The incident queue as CSV or XLSX (RPT-01): the rows the queue shows with
its tab and filters, in its sort order, for whoever may see them."""

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from opsdesk.core.choices import Tier
from opsdesk.core.exports import Column, choice_label, export_response

from .choices import Channel, ClosureCode, Kind, Status
from .queries import SORTS
from .views import console_view, queue_selection


def _customer(row) -> str | None:
    name = row["customer__name"]
    return f"{name} (VIP)" if name and row["is_vip"] else name


COLUMNS = (
    Column(_("Number"), lambda row: row["number"]),
    Column(_("Priority"), lambda row: f"P{row['priority']}"),
    Column(_("Title"), lambda row: row["title"]),
    Column(_("Status"), choice_label(Status, "status")),
    Column(_("Customer"), _customer),
    Column(_("Team"), lambda row: row["team__name"]),
    Column(_("Assignee"), lambda row: row["assignee__display_name"]
           or row["assignee__username"]),
    Column(_("Registered"), lambda row: row["registered_at"]),
    Column(_("Kind"), choice_label(Kind, "kind")),
    Column(_("Channel"), choice_label(Channel, "channel")),
    Column(_("Category"), lambda row: row["category__name"]),
    Column(_("Configuration item"), lambda row: row["ci__name"]),
    Column(_("Resolution due"), lambda row: row["resolve_due_at"]),
    Column(_("Resolved"), lambda row: row["resolved_at"]),
    Column(_("Resolver role"), choice_label(Tier, "resolver_role")),
    Column(_("Closure code"), choice_label(ClosureCode, "closure_code")),
    Column(_("Duplicate of"), lambda row: row["duplicate_of__number"]),
)
FIELDS = (
    "number", "priority", "title", "status", "customer__name", "is_vip", "team__name",
    "assignee__display_name", "assignee__username", "registered_at", "kind", "channel",
    "category__name", "ci__name", "resolve_due_at", "resolved_at", "resolver_role",
    "closure_code", "duplicate_of__number",
)


@require_GET
@console_view
def export_queue(request):
    _name, form, incidents = queue_selection(request)
    if incidents is None:
        return HttpResponse(form.errors.as_text(), status=422,
                            content_type="text/plain; charset=utf-8")
    rows = incidents.order_by(*SORTS[form.cleaned_data["sort"] or "newest"]).values(*FIELDS)
    return export_response(rows.iterator(chunk_size=2000), COLUMNS,
                           file_format=request.GET.get("format", "csv"), name="incidents")
