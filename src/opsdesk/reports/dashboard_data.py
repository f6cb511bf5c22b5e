"""What a dashboard panel returns, and the filters every panel takes.

A panel is a function `panel(user, filters, now) -> PanelData` that runs one
or a few aggregate queries. Its PanelData carries both the chart (labels and
series, each point with the URL of the tickets behind it) and the same
figures as a table, so the page can show either and the API returns both."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from opsdesk.core.errors import Invalid

from .kpi_filters import Filters
from .periods import Period

PERIOD_KEYS = ("period", "from", "to")


@dataclass(frozen=True)
class Cell:
    text: str
    url: str | None = None


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    values: list
    urls: list | None = None

    def url(self, index: int) -> str | None:
        return self.urls[index] if self.urls else None


@dataclass(frozen=True)
class Headline:
    """A single figure shown large above the chart or table."""

    key: str
    label: str
    value: int | Decimal | None
    url: str | None = None
    unit: str = "count"
    met: bool | None = None  # against a target, where there is one


@dataclass(frozen=True)
class PanelData:
    name: str
    title: str
    kind: str
    labels: list = field(default_factory=list)
    series: list = field(default_factory=list)
    headlines: list = field(default_factory=list)
    columns: list = field(default_factory=list)
    rows: list = field(default_factory=list)
    unit: str = "count"
    note: str = ""
    stacked: bool = False

    def as_json(self) -> dict:
        return {
            "name": self.name,
            "title": str(self.title),
            "kind": self.kind,
            "unit": self.unit,
            "note": str(self.note),
            "stacked": self.stacked,
            "labels": [str(label) for label in self.labels],
            "series": [{"key": s.key, "label": str(s.label),
                        "values": [number(value) for value in s.values], "urls": s.urls or []}
                       for s in self.series],
            "headlines": [{"key": h.key, "label": str(h.label), "value": number(h.value),
                           "text": formatted(h.value, h.unit), "met": h.met,
                           "url": h.url if h.value is not None else None}
                          for h in self.headlines],
            "table": {
                "columns": [str(column) for column in self.columns],
                "rows": [[{"text": str(cell.text), "url": cell.url} for cell in row]
                         for row in self.rows],
            },
        }


def number(value):
    """JSON has no Decimal: send floats, keep None as null."""
    return float(value) if isinstance(value, Decimal) else value


def formatted(value, unit: str = "count") -> str:
    if value is None:
        return "—"
    if unit == "percent":
        return f"{Decimal(value):.1f}%"
    if unit in {"hours", "minutes", "score"}:
        return f"{Decimal(value):.1f}"
    return str(value)


def chart(name, title, kind, *, axis, labels, series, unit="count", note="", stacked=False,
          headlines=()) -> PanelData:
    """A chart whose table view has one row per label and one column per series."""
    rows = [[Cell(str(label))] + [Cell(formatted(s.values[index], unit), s.url(index))
                                  for s in series]
            for index, label in enumerate(labels)]
    return PanelData(name=name, title=title, kind=kind, labels=list(labels), series=list(series),
                     headlines=list(headlines), columns=[axis] + [s.label for s in series],
                     rows=rows, unit=unit, note=note, stacked=stacked)


def period_note(period: Period) -> str:
    return _("Period: %(period)s") % {"period": period.label}


def percent(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class PanelFilters:
    """The dashboard's query string: the KPI filters (team, customer,
    service …) and, for the panels that look back, a period (the current
    month when none is chosen)."""

    filters: Filters = field(default_factory=Filters)
    period: Period | None = None

    @classmethod
    def parse(cls, querydict) -> "PanelFilters":
        """Invalid names every field that does not parse, filters and period alike."""
        errors, parsed = {}, {}
        for name, parse in (("filters", Filters.parse), ("period", Period.parse)):
            if name == "period" and not any(querydict.get(key) for key in PERIOD_KEYS):
                continue
            try:
                parsed[name] = parse(querydict)
            except Invalid as error:
                errors.update(error.fields)
        if errors:
            raise Invalid(fields=errors)
        return cls(**parsed)

    def period_or_month_of(self, now: datetime) -> Period:
        if self.period is not None:
            return self.period
        return Period.of_grain("month", timezone.localdate(now))

    def query_string(self) -> str:
        parts = [self.filters.query_string()]
        if self.period is not None:
            parts.append(self.period.query_string())
        return "&".join(part for part in parts if part)

    def narrows_beyond_team(self) -> bool:
        return bool(set(self.filters.active()) - {"team"})

    def scope(self, queryset: QuerySet, path: str = "") -> QuerySet:
        """`queryset` narrowed to the chosen team, customer, service …;
        `path` leads from its model to the incident ("incident__")."""
        return queryset.filter(**{f"{path}{LOOKUPS[name]}": value
                                  for name, value in self.filters.active().items()})


# Each KPI filter as an Incident lookup.
LOOKUPS = {
    "team": "team_id",
    "customer": "customer_id",
    "service": "service_id",
    "category": "category_id",
    "priority": "priority",
    "channel": "channel",
    "resolver_role": "resolver_role",
}
