"""The monthly report as an Excel workbook (openpyxl): a cover sheet, then
one sheet per section, headers in the report's language, numbers stored as
numbers with a display format (a percent as a fraction formatted 0.00%),
times as Beijing wall-clock times (Excel has no zones)."""

from datetime import datetime
from decimal import Decimal
from io import BytesIO

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .monthly_tables import Measure

FORMATS = {"percent": "0.00%", "count": "0", "hours": "0.00", "minutes": "0.00",
           "score": "0.00", "decimal": "0.00"}
SHEET_NAME_LENGTH = 31  # Excel's limit
INVALID_IN_SHEET_NAMES = str.maketrans({c: " " for c in "[]:*?/\\"})
WIDEST_COLUMN = 60


def _cell_value(value):
    """(what to store, its number format or None)."""
    if isinstance(value, Measure):
        if value.value is None:
            return None, None
        number = Decimal(value.value)
        if value.unit == "percent":
            number /= 100
        return float(number), FORMATS.get(value.unit)
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None), "yyyy-mm-dd hh:mm"
    if isinstance(value, Decimal):
        return float(value), FORMATS["decimal"]
    if isinstance(value, Promise):  # a lazily translated label
        return str(value), None
    return value, None


def _sheet_name(title: str, taken: set[str]) -> str:
    name = title.translate(INVALID_IN_SHEET_NAMES)[:SHEET_NAME_LENGTH]
    base, n = name, 2
    while name in taken:
        suffix = f" {n}"
        name = base[:SHEET_NAME_LENGTH - len(suffix)] + suffix
        n += 1
    taken.add(name)
    return name


def workbook(report) -> bytes:
    book = Workbook()
    cover = book.active
    cover.title = _sheet_name(_("Report"), taken := set())
    bold = Font(bold=True)
    cover.append([report.title])
    cover["A1"].font = Font(bold=True, size=14)
    cover.append([_("Month"), report.period.label])
    cover.append([_("Scope"), report.scope_label])
    cover.append([_("From"), report.period.first_day.isoformat()])
    cover.append([_("To"), report.period.last_day.isoformat()])
    cover.column_dimensions["A"].width = 16
    cover.column_dimensions["B"].width = 40
    for section in report.sections:
        sheet = book.create_sheet(_sheet_name(section.title, taken))
        sheet.append(list(section.columns))
        for cell in sheet[1]:
            cell.font = bold
        for row in section.rows:
            values = [_cell_value(value) for value in row.cells]
            sheet.append([value for value, _format in values])
            for cell, (_value, number_format) in zip(sheet[sheet.max_row], values, strict=True):
                if number_format:
                    cell.number_format = number_format
        if section.note:
            sheet.append([])
            sheet.append([section.note])
        sheet.freeze_panes = "A2"
        _fit_columns(sheet, section)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _fit_columns(sheet, section) -> None:
    for index, header in enumerate(section.columns, start=1):
        longest = max([len(str(header)), *(len(str(row.cells[index - 1])) for row in section.rows)])
        # CJK characters are about twice as wide as Latin ones.
        sheet.column_dimensions[get_column_letter(index)].width = min(longest * 2 + 2,
                                                                       WIDEST_COLUMN)
