"""The monthly service report (RPT-01, INC-21, PRB-06): for one month and
the whole service or one customer, the KPIs against their targets, their
trend, what happened most and recurred, workaround closures, problems,
SLA/OLA compliance, satisfaction and complaints, and the changes.

`build()` only reads. Everything is narrowed to the customer when there is
one: a customer's report never counts another customer's tickets (the
OLA table, which has no customer, is left out of it)."""

from dataclasses import dataclass, replace
from datetime import date

from django.utils.translation import gettext as _

from opsdesk.changes.choices import Kind as ChangeKind
from opsdesk.changes.choices import Outcome
from opsdesk.changes.reports import monthly_summary
from opsdesk.core.errors import Invalid
from opsdesk.core.models import Customer

from . import kpi_snapshots, kpis, monthly_sections
from .monthly_tables import Measure, Row, Section
from .periods import Period

TREND_MONTHS = 12
TREND_KEYS = ("incidents_total", "closed_rate", "major_incident_rate",
              "first_time_resolution_rate", "resolve_or_escalate_rate", "answer_rate",
              "resolved_within_sla_rate", "desk_satisfaction")


@dataclass(frozen=True)
class MonthlyReport:
    period: Period
    customer: Customer | None
    sections: tuple[Section, ...]

    @property
    def scope_label(self) -> str:
        return scope_label(self.customer)

    @property
    def title(self) -> str:
        return title_of(self.period, self.customer)

    def section(self, key: str) -> Section:
        return next(section for section in self.sections if section.key == key)


def scope_label(customer: Customer | None) -> str:
    return customer.name if customer else _("Whole service")


def title_of(period: Period, customer: Customer | None) -> str:
    return _("Monthly service report %(month)s · %(scope)s") % {
        "month": period.label, "scope": scope_label(customer)}


def parse_month(text: str) -> Period:
    """'2026-10' → the month; anything else is refused with a clear message."""
    try:
        year, month = (int(part) for part in text.split("-"))
        first = date(year, month, 1)
    except (ValueError, TypeError):
        raise Invalid(fields={"month": _("Give the month as YYYY-MM, e.g. 2026-10.")}) from None
    return Period.month(first.year, first.month)


def build(period: Period, customer: Customer | None = None) -> MonthlyReport:
    filters = kpis.Filters(customer=customer.pk if customer else None)
    base = kpis.tickets("incidents_total", period, filters=filters)
    total = base.count()

    def drilldown(**narrower) -> str:
        return kpis.drilldown_url("incidents_total", period,
                                  filters=replace(filters, **narrower))

    sections = [
        kpi_table(period, filters),
        trends(period, filters),
        monthly_sections.top_categories(base, total, drilldown),
        monthly_sections.top_cis(base, total),
        monthly_sections.repeated(base),
        monthly_sections.workaround_closures(period, customer),
        monthly_sections.problem_figures(period, customer),
        monthly_sections.sla_by_priority(period, customer),
    ]
    if customer is None:
        sections.append(monthly_sections.ola_compliance(period))
    sections += [
        monthly_sections.satisfaction_by_location(base),
        monthly_sections.satisfaction_by_type(base),
        monthly_sections.complaints(base),
    ]
    sections += change_sections(period, customer)
    return MonthlyReport(period, customer, tuple(sections))


def _met_label(met: bool | None) -> str:
    if met is None:
        return "—"
    return _("Met") if met else _("Missed")


def kpi_table(period: Period, filters) -> Section:
    """Every KPI that applies to the scope (a customer's report has no
    problem KPIs: problems belong to no customer)."""
    rows = []
    for figure in kpis.compute(None, period, filters=filters):
        kpi = figure.kpi
        target = Measure(kpi.target, kpi.unit) if kpi.target is not None else None
        rows.append(Row(
            (str(kpi.label), str(kpis.SECTIONS[kpi.section]), Measure(figure.value, kpi.unit),
             figure.numerator, figure.denominator, kpi.target_direction if target else "",
             target, _met_label(figure.met)),
            link=kpis.figure_url(figure, period, filters) if kpi.drillable else "",
            met=figure.met))
    return Section(
        "kpis", _("KPIs against targets"),
        (_("KPI"), _("Area"), _("Value"), _("Numerator"), _("Denominator"), "", _("Target"),
         _("Target met")),
        tuple(rows),
        note=_("Each KPI as seed 004 §5.11 defines it; follow a KPI to the tickets it counts."))


def trends(period: Period, filters) -> Section:
    """The trend KPIs month by month, over the last TREND_MONTHS months."""
    keys = TREND_KEYS
    last = period.first_day
    months_back = last.year * 12 + last.month - 1 - (TREND_MONTHS - 1)
    span = Period.custom(date(months_back // 12, months_back % 12 + 1, 1), period.last_day)
    # Earlier months from the worker's snapshots; the report's own month
    # live, as in its KPI table.
    collected = kpi_snapshots.by_month(keys, span, filters, live=(period,))
    values = {(figure.key, figure.group): figure.value for figure in collected.figures}
    rows = tuple(
        Row((month.label, *(Measure(values.get((key, month.first_day)), kpis.KPIS[key].unit)
                            for key in keys)))
        for month in span.split("month"))
    return Section("trends", _("Trends over %(n)d months") % {"n": TREND_MONTHS},
                   (_("Month"), *(str(kpis.KPIS[key].label) for key in keys)), rows,
                   note=kpi_snapshots.as_of_note(collected.as_of))


def change_sections(period: Period, customer) -> list[Section]:
    summary = monthly_summary(period.start, period.end, customer=customer)
    counts = Section(
        "changes", _("Changes"),
        (*(str(label) for label in ChangeKind.labels), _("Implemented"), _("Failed"),
         _("Rolled back"), _("Emergency changes not recorded in time")),
        (Row((*(summary["by_type"][kind] for kind in ChangeKind.values), summary["implemented"],
              summary["failed"], summary["rolled_back"], summary["unrecorded_emergency"])),),
        note=_("Changes raised in the month by type; changes finished in the month by "
               "outcome."))
    failed = Section(
        "failed_changes", _("Failed changes"), (_("Number"), _("Title"), _("Outcome")),
        tuple(Row((change["number"], change["title"], str(Outcome(change["outcome"]).label)))
              for change in summary["failed_changes"]))
    return [counts, failed]
