"""The auditor's pages: one record's audit trail with its chain status, and
the export of a period's timeline."""

import json

from django.core.exceptions import PermissionDenied
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from opsdesk.core.errors import Forbidden, Invalid, NotFound
from opsdesk.core.models import TimelineEvent
from opsdesk.incidents.views import console_view

from . import export, queries, rules, subjects, verify


def _auditor(request) -> None:
    try:
        rules.check_auditor(request.user)
    except Forbidden:
        raise PermissionDenied from None


@require_GET
@console_view
def record_trail(request, subject_type: str, key: str):
    _auditor(request)
    try:
        record = subjects.find(subject_type, key)
    except NotFound:
        raise Http404(key) from None
    events = list(TimelineEvent.objects.filter(subject_type=subject_type, subject_id=record.pk)
                  .select_related("actor").order_by("seq"))
    breaks = {broken.event_id: broken for broken in verify.check_chain(events)}
    return render(request, "audit/record.html", {
        "record": record, "subject_type": subject_type,
        "type_label": record._meta.verbose_name,
        "name": getattr(record, "number", None) or str(record),
        "rows": [(event, _changes(event.changes), breaks.get(event.id)) for event in events],
        "broken": bool(breaks),
    })


def _changes(changes: dict) -> list[tuple[str, str, str | None]]:
    """(field, before, after) as stored; a value that is no [before, after]
    pair shows whole, as after."""
    shown = []
    for name, value in changes.items():
        if isinstance(value, list) and len(value) == 2:
            shown.append((name, _shown(value[0]), _shown(value[1])))
        else:
            shown.append((name, None, _shown(value)))
    return shown


def _shown(value) -> str:
    if value is None:
        return "—"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


@require_GET
@console_view
def export_view(request):
    _auditor(request)
    params = request.GET
    if not params:
        return render(request, "audit/export.html", {"types": sorted(subjects.subject_models())})
    file_format = params.get("format") or "csv"
    try:
        start, end = queries.period(params.get("from"), params.get("to"))
        subject_type = queries.check_type(params.get("type"))
        export.check_format(file_format)
    except Invalid as error:
        return render(request, "audit/export.html", {
            "types": sorted(subjects.subject_models()), "errors": error.fields,
            "values": params}, status=422)
    rows = export.rows(queries.events_between(start, end, subject_type))
    response = StreamingHttpResponse(export.lines(rows, file_format),
                                     content_type=export.CONTENT_TYPES[file_format])
    name = f"timeline-{params['from']}-{params['to']}.{file_format}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
