"""CSV and XLSX import and export of configuration items and relationships.

A CSV file holds one table, recognised by its header; an XLSX workbook holds
both, one per sheet. Items are matched by name: a known name is updated, a
new one created. An import is all or nothing: every row is checked inside one
transaction, which is rolled back if any row is wrong or on a dry run, so the
report lists every error with its line and nothing changes.
"""

import csv
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from opsdesk.core.errors import Invalid, OpsDeskError
from opsdesk.core.models import CiStatus, ConfigurationItem, Customer, Service, Team

from .actions import CiDraft, check_draft, relate, require_editor, save_ci
from .models import CiAttribute, CiRelationship, CiType

CI_COLUMNS = ("name", "type", "status", "owner_team", "service", "customer", "location",
              "vendor", "contract")
RELATIONSHIP_COLUMNS = ("source", "kind", "target")
ATTRIBUTE_PREFIX = "attr:"
CI_SHEET, RELATIONSHIP_SHEET = "configuration_items", "relationships"


@dataclass
class Table:
    """Rows of one kind, each as (where it was read, {column: text})."""

    kind: str  # "cis" or "relationships"
    rows: list[tuple[str, dict]] = field(default_factory=list)


@dataclass
class Problem:
    where: str
    field: str
    message: str

    def __str__(self):
        return f"{self.where}: {self.field}: {self.message}" if self.field else \
            f"{self.where}: {self.message}"


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    related: int = 0
    dry_run: bool = False

    @property
    def applied(self) -> bool:
        return not self.problems and not self.dry_run


class UnreadableFile(OpsDeskError):
    code = "unreadable_file"
    status = 422


# ------------------------------------------------------------------ reading


def read_tables(name: str, content: bytes) -> list[Table]:
    if name.lower().endswith(".xlsx"):
        return _read_workbook(content)
    if name.lower().endswith(".csv"):
        return [_read_csv(content)]
    raise UnreadableFile(_("Give a .csv or .xlsx file."))


def _table_kind(header: list[str], where: str) -> str:
    columns = set(header)
    if set(RELATIONSHIP_COLUMNS) <= columns:
        return "relationships"
    if {"name", "type"} <= columns:
        return "cis"
    raise UnreadableFile(_("%(where)s: the header needs the columns name and type (items) or "
                           "source, kind and target (relationships).") % {"where": where})


def _read_csv(content: bytes) -> Table:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("gb18030", errors="replace")  # Excel's CSV on Chinese Windows
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [cell.strip() for cell in next(reader, [])]
    table = Table(_table_kind(header, _("line %(n)s") % {"n": 1}))
    for cells in reader:
        if any(cell.strip() for cell in cells):
            table.rows.append((_("line %(n)s") % {"n": reader.line_num},
                               dict(zip(header, cells, strict=False))))
    return table


def _read_workbook(content: bytes) -> list[Table]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise UnreadableFile(_("This is not an XLSX workbook.")) from None
    tables = []
    for sheet in workbook.worksheets:
        rows = sheet.iter_rows(values_only=True)
        header = [str(cell or "").strip() for cell in next(rows, ())]
        if not any(header):
            continue
        where = _("sheet %(sheet)s row %(n)s")
        table = Table(_table_kind(header, where % {"sheet": sheet.title, "n": 1}))
        for number, cells in enumerate(rows, start=2):
            if any(cell not in (None, "") for cell in cells):
                table.rows.append((where % {"sheet": sheet.title, "n": number},
                                   dict(zip(header, cells, strict=False))))
        tables.append(table)
    return sorted(tables, key=lambda table: table.kind != "cis")  # items before their edges


# ---------------------------------------------------------------- importing


def _text(row: dict, column: str) -> str:
    value = row.get(column)
    return "" if value is None else str(value).strip()


class _Lookup:
    """Names in a file turned into rows, each small table read once."""

    def __init__(self):
        self.types = {}
        for ci_type in CiType.objects.all():
            self.types[ci_type.code] = self.types[ci_type.name] = ci_type
        self.teams = {team.name: team for team in Team.objects.all()}
        self.services, self.customers = {}, {}
        for service in Service.objects.all():
            self.services[service.code] = self.services[service.name] = service
        for customer in Customer.objects.all():
            self.customers[customer.code] = self.customers[customer.name] = customer

    def find(self, rows: dict, value: str, column: str, errors: dict):
        if not value:
            return None
        if value not in rows:
            errors[column] = _("Nothing called “%(name)s” was found.") % {"name": value}
        return rows.get(value)


def _import_ci(row: dict, lookup: _Lookup, seen: set[str], report: Report, actor, source):
    errors = {}
    name = _text(row, "name")
    ci_type = lookup.find(lookup.types, _text(row, "type"), "type", errors)
    if ci_type is None and "type" not in errors:
        errors["type"] = _("This field is required.")
    draft = CiDraft(
        name=name, type=ci_type, status=_text(row, "status") or CiStatus.IN_SERVICE,
        owner_team=lookup.find(lookup.teams, _text(row, "owner_team"), "owner_team", errors),
        service=lookup.find(lookup.services, _text(row, "service"), "service", errors),
        customer=lookup.find(lookup.customers, _text(row, "customer"), "customer", errors),
        location=_text(row, "location"), vendor=_text(row, "vendor"),
        contract=_text(row, "contract"),
        attributes={column.removeprefix(ATTRIBUTE_PREFIX): value for column, value in row.items()
                    if column.startswith(ATTRIBUTE_PREFIX) and value not in (None, "")},
    )
    if name in seen:
        errors["name"] = _("“%(name)s” appears more than once in this file.") % {"name": name}
    seen.add(name)
    existing = ConfigurationItem.objects.filter(name=name).first() if name else None
    if ci_type is not None:
        errors = {**errors, **check_draft(draft, existing=existing)}
    if errors:
        return errors
    save_ci(draft, actor=actor, source=source, ci=existing)
    if existing is None:
        report.created += 1
    else:
        report.updated += 1
    return {}


def _import_relationship(row: dict, report: Report, actor, source) -> dict:
    errors, ends = {}, {}
    for column in ("source", "target"):
        name = _text(row, column)
        ends[column] = ConfigurationItem.objects.filter(name=name).first() if name else None
        if ends[column] is None:
            errors[column] = (_("Nothing called “%(name)s” was found.") % {"name": name}
                              if name else _("This field is required."))
    if errors:
        return errors
    try:
        _edge, created = relate(ends["source"], _text(row, "kind"), ends["target"], actor=actor,
                                source=source)
    except Invalid as error:
        return error.fields
    report.related += created
    return {}


def import_tables(tables: list[Table], *, actor, source: str, dry_run: bool) -> Report:
    require_editor(actor)
    report, lookup, seen = Report(dry_run=dry_run), _Lookup(), set()
    with transaction.atomic(durable=True):
        for table in tables:
            for where, row in table.rows:
                errors = (_import_ci(row, lookup, seen, report, actor, source)
                          if table.kind == "cis"
                          else _import_relationship(row, report, actor, source))
                report.problems += [Problem(where, column, str(message))
                                    for column, message in errors.items()]
        if not report.applied:
            transaction.set_rollback(True)
    return report


# ---------------------------------------------------------------- exporting


def ci_table() -> tuple[list[str], list[list]]:
    keys = list(dict.fromkeys(CiAttribute.objects.order_by("key").values_list("key", flat=True)))
    header = [*CI_COLUMNS, *(ATTRIBUTE_PREFIX + key for key in keys)]
    rows = []
    items = ConfigurationItem.objects.select_related("owner_team", "service", "customer")
    for ci in items.order_by("name").iterator(chunk_size=2000):
        rows.append([ci.name, ci.type_id, ci.status, _name(ci.owner_team), _name(ci.service),
                     _name(ci.customer), ci.location, ci.vendor, ci.contract,
                     *(ci.attributes.get(key, "") for key in keys)])
    return header, rows


def relationship_table() -> tuple[list[str], list[list]]:
    edges = CiRelationship.objects.order_by("source__name", "kind", "target__name")
    return list(RELATIONSHIP_COLUMNS), [list(row) for row in edges.values_list(
        "source__name", "kind", "target__name").iterator(chunk_size=2000)]


def _name(row) -> str:
    return row.name if row is not None else ""


def csv_bytes(table: tuple[list[str], list[list]]) -> bytes:
    header, rows = table
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")  # the BOM lets Excel read the Chinese


def xlsx_bytes() -> bytes:
    workbook = Workbook(write_only=True)
    for title, (header, rows) in ((CI_SHEET, ci_table()),
                                  (RELATIONSHIP_SHEET, relationship_table())):
        sheet = workbook.create_sheet(title)
        sheet.append(header)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
