"""Any list as a download (RPT-01: "CSV/XLSX export of any ticket list").

A list page describes its columns (a translated header and how to read the
value from a row) and hands over the rows it shows, already narrowed to what
the user may see and to the filters on the page:

    export_response(rows, COLUMNS, file_format="csv", name="incidents")

- CSV is streamed row by row, UTF-8 with a byte-order mark: without it Excel
  on a Chinese Windows reads the file as GBK and garbles every Chinese word.
- XLSX is written with openpyxl's write-only workbook (rows go straight to
  the file, not into a sheet model), times as Excel date-times.
- At most ROW_CAP rows are written; a longer list ends with a row saying so,
  so a truncated file is never mistaken for the whole list. Narrowing the
  filters gets the rest.
- Times are shown in the configured zone (Beijing), as on the pages.
- Text that a spreadsheet would run as a formula (starting with =, +, -, @)
  stays text: a ticket title typed by anyone must not become a formula.
"""

import csv
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from itertools import islice

from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from . import clock

ROW_CAP = 50_000
FORMATS = ("csv", "xlsx")
BOM = "\ufeff"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TIME_FORMAT = "%Y-%m-%d %H:%M"
FORMULA_STARTS = ("=", "+", "-", "@")


@dataclass(frozen=True)
class Column:
    header: str  # usually a lazy translation, read in the user's language
    value: Callable[[object], object]


def choice_label(choices, key: str) -> Callable[[dict], object]:
    """A column value: the label of the choice stored under `key`."""
    return lambda row: choices(row[key]).label if row[key] else None


def export_response(rows: Iterable, columns: Sequence[Column], *, file_format: str,
                    name: str):
    """The download of `rows` as `file_format` ("csv" or "xlsx"), named
    `<name>-<local date>.<format>`."""
    if file_format not in FORMATS:
        raise Http404(file_format)
    filename = f"{name}-{timezone.localdate(clock.now()):%Y%m%d}.{file_format}"
    headers = [str(column.header) for column in columns]
    table = _capped(rows, columns)
    if file_format == "csv":
        response = StreamingHttpResponse(
            _in_language(translation.get_language(), _csv_lines(headers, table)),
            content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(_xlsx_bytes(headers, table), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _capped(rows: Iterable, columns: Sequence[Column]) -> Iterator[list]:
    """Each row as its column values; past ROW_CAP, one row saying so."""
    rows = iter(rows)
    for row in islice(rows, ROW_CAP):
        yield [column.value(row) for column in columns]
    if next(rows, None) is not None:
        yield [_("Only the first %(count)s rows are exported: narrow the filters to get "
                 "the rest.") % {"count": ROW_CAP}]


def _in_language(language: str, lines: Iterator[str]) -> Iterator[str]:
    """A streamed body is read after the view has returned, when the
    request's language may no longer be active: labels keep the user's."""
    with translation.override(language):
        yield from lines


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime(TIME_FORMAT)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Line:
    """What csv.writer writes to: the line it was given, handed back."""

    def write(self, line: str) -> str:
        return line


def _csv_lines(headers: list[str], table: Iterator[list]) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield BOM + writer.writerow(headers)
    for values in table:
        yield writer.writerow([_text(value) for value in values])


def _cell(sheet, value) -> WriteOnlyCell:
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=timezone.localtime(value).replace(tzinfo=None))
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell
    if value is None or isinstance(value, int | float):
        return WriteOnlyCell(sheet, value=value)
    cell = WriteOnlyCell(sheet, value=str(value))
    cell.data_type = "s"  # never a formula, whatever the text starts with
    return cell


def _xlsx_bytes(headers: list[str], table: Iterator[list]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(headers)
    for values in table:
        sheet.append([_cell(sheet, value) for value in values])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
