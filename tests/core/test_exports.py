"""exports.export_response: any list as CSV (with a BOM, for Excel) or XLSX,
translated headers, times in Beijing, formulas kept as text, a row cap."""

from datetime import UTC, datetime
from io import BytesIO

import pytest
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from opsdesk.core import exports
from opsdesk.core.exports import Column, export_response

COLUMNS = (
    Column(gettext_lazy("Title"), lambda row: row["title"]),
    Column(gettext_lazy("Registered"), lambda row: row["at"]),
    Column(gettext_lazy("Priority"), lambda row: row["priority"]),
)
ROWS = [
    {"title": "网银系统登录缓慢", "at": datetime(2026, 11, 23, 2, 0, tzinfo=UTC), "priority": 3},
    {"title": "=HYPERLINK(\"http://evil\")", "at": None, "priority": None},
]


def csv_text(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


def test_csv_starts_with_a_bom_and_reads_back_in_chinese(frozen):
    with translation.override("zh-hans"):
        response = export_response(ROWS, COLUMNS, file_format="csv", name="incidents")
        text = csv_text(response)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="incidents-20261123.csv"'
    assert text.startswith("\ufeff")
    assert text[1:].splitlines() == [
        "标题,登记时间,优先级",
        "网银系统登录缓慢,2026-11-23 10:00,3",
        "\"'=HYPERLINK(\"\"http://evil\"\")\",,",
    ]


def test_xlsx_keeps_times_as_times_and_formulas_as_text(frozen):
    with translation.override("en"):
        response = export_response(ROWS, COLUMNS, file_format="xlsx", name="incidents")

    sheet = load_workbook(BytesIO(response.content)).active
    assert response["Content-Disposition"] == 'attachment; filename="incidents-20261123.xlsx"'
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["Title", "Registered", "Priority"],
        ["网银系统登录缓慢", datetime(2026, 11, 23, 10, 0), 3],
        ["=HYPERLINK(\"http://evil\")", None, None],
    ]
    assert sheet["A3"].data_type == "s"


def test_a_list_longer_than_the_cap_ends_with_a_row_saying_so(monkeypatch, frozen):
    monkeypatch.setattr(exports, "ROW_CAP", 2)
    rows = [{"title": f"第{n}条", "at": None, "priority": n} for n in range(5)]

    with translation.override("en"):
        lines = csv_text(export_response(rows, COLUMNS, file_format="csv", name="x"))

    assert lines[1:].splitlines() == [
        "Title,Registered,Priority", "第0条,,0", "第1条,,1",
        "Only the first 2 rows are exported: narrow the filters to get the rest.",
    ]


def test_a_list_exactly_at_the_cap_is_whole(monkeypatch, frozen):
    monkeypatch.setattr(exports, "ROW_CAP", 2)
    rows = [{"title": "甲", "at": None, "priority": 1}, {"title": "乙", "at": None, "priority": 2}]

    lines = csv_text(export_response(rows, COLUMNS, file_format="csv", name="x"))

    assert len(lines.splitlines()) == 3


def test_an_unknown_format_is_not_found():
    with pytest.raises(Http404):
        export_response(ROWS, COLUMNS, file_format="pdf", name="x")
