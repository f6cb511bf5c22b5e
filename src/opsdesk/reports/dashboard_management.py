"""The management dashboard: the month's KPIs of seed 004 §5.11 against their
targets, and the targeted KPIs month by month over a year. Both come from
the KPI engine (reports.kpis), and every figure links to its tickets."""

from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from . import kpi_snapshots, kpis
from .dashboard_data import (
    Cell,
    Headline,
    PanelData,
    PanelFilters,
    Series,
    chart,
    formatted,
    period_note,
)
from .periods import Period

TREND_MONTHS = 12


def _drilldown(key, period, filters: PanelFilters, **kwargs) -> str | None:
    if not kpis.KPIS[key].drillable:
        return None
    return kpis.drilldown_url(key, period, filters=filters.filters, **kwargs)


def _target(definition) -> str:
    if definition.target is None:
        return "—"
    return f"{definition.target_direction} {formatted(definition.target, definition.unit)}"


def _met(figure) -> str:
    if figure.met is None:
        return "—"
    return _("met") if figure.met else _("missed")


def kpi_scorecard(user, filters: PanelFilters, now: datetime):
    period = filters.period_or_month_of(now)
    collected = kpi_snapshots.figures(None, period, filters.filters, now=now)
    figures = collected.figures
    rows, headlines = [], []
    for figure in figures:
        definition = kpis.KPIS[figure.key]
        url = _drilldown(figure.key, period, filters)
        rows.append([
            Cell(definition.label),
            Cell(formatted(figure.value, definition.unit), url),
            Cell(_target(definition)),
            Cell(_met(figure)),
            Cell(formatted(figure.numerator, "count" if definition.unit == "percent"
                           else definition.unit)),
            Cell(formatted(figure.denominator)),
        ])
        if definition.target is not None:
            headlines.append(Headline(figure.key, definition.label, figure.value, url,
                                      unit=definition.unit, met=figure.met))
    return PanelData(
        name="kpi_scorecard", title=_("KPIs against targets"), kind="table",
        headlines=headlines, rows=rows,
        columns=[_("KPI"), _("Value"), _("Target"), _("Status"), _("Numerator"),
                 _("Denominator")],
        note=f"{period_note(period)} {kpi_snapshots.as_of_note(collected.as_of)}".strip())


def trend_months(period: Period) -> list[Period]:
    """The twelve months ending with the one the period ends in."""
    last = period.last_day
    return [Period.month(last.year, last.month - back) if last.month > back
            else Period.month(last.year - 1, last.month - back + 12)
            for back in range(TREND_MONTHS - 1, -1, -1)]


def kpi_trend(user, filters: PanelFilters, now: datetime):
    months = trend_months(filters.period_or_month_of(now))
    span = Period.custom(months[0].first_day, months[-1].last_day)
    keys = [key for key, definition in kpis.KPIS.items()
            if definition.target is not None and definition.unit == "percent"]
    collected = kpi_snapshots.by_month(keys, span, filters.filters, now=now)
    figures = collected.figures
    values = {(figure.key, _month_of(figure.group)): figure.value for figure in figures}
    # The engine leaves out a KPI the filters do not apply to (calls know no team).
    keys = [key for key in keys if any(figure.key == key for figure in figures)]
    series = [
        Series(key, kpis.KPIS[key].label,
               [values.get((key, month.first_day)) for month in months],
               [_drilldown(key, month, filters) for month in months])
        for key in keys
    ]
    return chart("kpi_trend", _("KPI trend over twelve months"), "line", axis=_("Month"),
                 labels=[month.first_day.strftime("%Y-%m") for month in months],
                 series=series, unit="percent",
                 note=_("Targeted KPIs by month; targets: %(targets)s") % {
                     "targets": "; ".join(f"{kpis.KPIS[key].label} {_target(kpis.KPIS[key])}"
                                          for key in keys)} + (
                     " " + kpi_snapshots.as_of_note(collected.as_of)).rstrip())


def _month_of(group) -> date:
    if isinstance(group, datetime):
        group = timezone.localdate(group)
    return group.replace(day=1)


PANELS = {
    "kpi_scorecard": kpi_scorecard,
    "kpi_trend": kpi_trend,
}
