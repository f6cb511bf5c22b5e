"""The shape every section of the monthly report shares: a titled table.
The web page, the PDF and the XLSX all render these, so the three agree
figure for figure."""

from dataclasses import dataclass
from decimal import Decimal

UNITS = ("count", "percent", "hours", "minutes", "score", "decimal")


@dataclass(frozen=True)
class Measure:
    """A number with its unit; a percent in points (95.5 for 95.5 %), as
    the KPI engine gives it."""

    value: int | Decimal | None
    unit: str = "count"

    def __str__(self):
        if self.value is None:
            return "—"
        if self.unit == "percent":
            return f"{Decimal(self.value):.1f}%"
        if self.unit == "count":
            return str(self.value)
        return f"{Decimal(self.value):.2f}"


@dataclass(frozen=True)
class Row:
    """One table row. `link` is where its first cell leads (the tickets
    behind a figure, a record's page); `met` colours a row held against a
    target."""

    cells: tuple
    link: str = ""
    met: bool | None = None


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    note: str = ""


def share(part: int, whole: int) -> Measure:
    if not whole:
        return Measure(None, "percent")
    return Measure((Decimal(100) * part / whole).quantize(Decimal("0.01")), "percent")
