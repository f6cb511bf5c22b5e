"""A problem queue as CSV or XLSX (RPT-01): the tab the user is on, newest
first, as the queue lists it."""

from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from opsdesk.core.exports import Column, choice_label, export_response
from opsdesk.incidents.views import console_view

from . import queries
from .choices import Category, Level, State
from .views import queue_name


def _owner(row) -> str | None:
    return row["owner__display_name"] or row["owner__username"]


COLUMNS = (
    Column(_("number"), lambda row: row["number"]),
    Column(_("title"), lambda row: row["title"]),
    Column(_("state"), choice_label(State, "state")),
    Column(_("level"), choice_label(Level, "level")),
    Column(_("category"), choice_label(Category, "category")),
    Column(_("configuration item"), lambda row: row["ci__name"]),
    Column(_("problem owner"), _owner),
    Column(_("analysis group"), lambda row: row["team__name"]),
    Column(_("created at"), lambda row: row["created_at"]),
    Column(_("solved at"), lambda row: row["resolved_at"]),
)
FIELDS = ("number", "title", "state", "level", "category", "ci__name", "owner__display_name",
          "owner__username", "team__name", "created_at", "resolved_at")


@require_GET
@console_view
def export_queue(request):
    rows = queries.queue(request.user, queue_name(request)).order_by("-id").values(*FIELDS)
    return export_response(rows.iterator(chunk_size=2000), COLUMNS,
                           file_format=request.GET.get("format", "csv"), name="problems")
