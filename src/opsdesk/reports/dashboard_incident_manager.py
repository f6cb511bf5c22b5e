"""The incident manager's dashboard, over a period (the current month unless
chosen): SLA compliance by team, escalations by level, major incidents and
where tickets bounce between teams. Each panel is one to three aggregate
queries."""

from datetime import datetime

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate, TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opsdesk.incidents import queries
from opsdesk.incidents.choices import Status
from opsdesk.incidents.escalations import level_label
from opsdesk.incidents.models import Escalation
from opsdesk.major.choices import Status as MajorStatus
from opsdesk.major.models import MajorIncident
from opsdesk.sla.compliance import team_compliance

from .dashboard_data import (
    Cell,
    Headline,
    PanelData,
    PanelFilters,
    Series,
    chart,
    percent,
    period_note,
)

HOT_SPOTS = 10
MAJOR_ROWS = 20
# Longer periods are shown by month: a year of days is no chart to read.
DAILY_UP_TO = 62


def _incidents(user, filters: PanelFilters):
    return filters.scope(queries.visible_incidents(user))


def sla_compliance(user, filters: PanelFilters, now: datetime):
    """Of the incidents resolved in the period (duplicates aside), the share
    that met the response and the resolution target, by the team holding
    them; with each team's OLA compliance from its own stints."""
    period = filters.period_or_month_of(now)
    # resolved_at has no index. A resolved ticket only ever moves on to
    # closed, so one resolved in the period is either still resolved or
    # closed since the period began: both found by index.
    bounded = Q(status=Status.RESOLVED) | Q(closed_at__gte=period.start)
    rows = (_incidents(user, filters).filter(bounded)
            .filter(resolved_at__gte=period.start, resolved_at__lt=period.end,
                    duplicate_of=None, team__isnull=False)
            .values("team_id", "team__name")
            .annotate(resolved=Count("id"),
                      response_met=Count("id", filter=Q(response_breached=False)),
                      resolve_met=Count("id", filter=Q(resolve_breached=False)))
            .order_by("team__name"))
    rows = list(rows)
    ola = _ola_met(filters, period, {row["team_id"] for row in rows})
    series = [
        Series("response_met", _("Response met"),
               [percent(row["response_met"], row["resolved"]) for row in rows]),
        Series("resolve_met", _("Resolution met"),
               [percent(row["resolve_met"], row["resolved"]) for row in rows]),
        Series("ola_met", _("OLA met"), [ola.get(row["team_id"]) for row in rows]),
    ]
    resolved = sum(row["resolved"] for row in rows)
    headlines = [
        Headline("response_met", _("Response met"),
                 percent(sum(row["response_met"] for row in rows), resolved), unit="percent"),
        Headline("resolve_met", _("Resolution met"),
                 percent(sum(row["resolve_met"] for row in rows), resolved), unit="percent"),
    ]
    return chart("sla_compliance", _("SLA compliance by team"), "bar", axis=_("Team"),
                 labels=[row["team__name"] for row in rows], series=series, unit="percent",
                 headlines=headlines, note=period_note(period))


def _ola_met(filters: PanelFilters, period, team_ids: set) -> dict:
    """OLA met % per team; stints know their team but not the ticket's
    customer or service, so those filters leave this column empty."""
    if filters.narrows_beyond_team():
        return {}
    met, total = {}, {}
    for row in team_compliance(period.start, period.end):
        if row.team_id in team_ids:
            met[row.team_id] = met.get(row.team_id, 0) + row.met
            total[row.team_id] = total.get(row.team_id, 0) + row.total
    return {team: percent(met[team], total[team]) for team in total}


def escalations(user, filters: PanelFilters, now: datetime):
    """Escalation steps fired in the period, by day (or month) and level."""
    period = filters.period_or_month_of(now)
    daily = (period.end - period.start).days <= DAILY_UP_TO
    grain = "day" if daily else "month"
    trunc = TruncDate if daily else TruncMonth
    rows = (filters.scope(Escalation.objects, "incident__")
            .filter(fired_at__gte=period.start, fired_at__lt=period.end)
            .annotate(bucket=trunc("fired_at", tzinfo=timezone.get_current_timezone()))
            .values("bucket", "level").annotate(count=Count("id")).order_by())
    counts = {(_as_date(row["bucket"]), row["level"]): row["count"] for row in rows}
    buckets = [part.first_day for part in period.split(grain)]
    levels = sorted({level for _bucket, level in counts})
    series = [Series(level, level_label(level),
                     [counts.get((bucket, level), 0) for bucket in buckets])
              for level in levels]
    return chart("escalations", _("Escalations by level"), "bar", axis=_("Date"),
                 labels=[bucket.isoformat() if daily else bucket.strftime("%Y-%m")
                         for bucket in buckets],
                 series=series, stacked=True, note=period_note(period),
                 headlines=[Headline("total", _("Escalations"), sum(counts.values()))])


def _as_date(value):
    return value.date() if isinstance(value, datetime) else value


def major_incidents(user, filters: PanelFilters, now: datetime):
    """Major incidents (INC-12) whose emergency is on, and how many were
    declared in the period."""
    period = filters.period_or_month_of(now)
    majors = filters.scope(MajorIncident.objects, "incident__").filter(
        incident__in=queries.visible_incidents(user))
    counts = majors.aggregate(
        active=Count("id", filter=Q(status=MajorStatus.ACTIVE)),
        declared=Count("id", filter=Q(declared_at__gte=period.start,
                                      declared_at__lt=period.end)))
    active = (majors.filter(status=MajorStatus.ACTIVE)
              .values("number", "incident__title", "incident__priority", "incident__team__name",
                      "declared_at", "update_due_at")
              .order_by("declared_at", "id")[:MAJOR_ROWS])
    rows = [[Cell(row["number"], _incident_url(row["number"])),
             Cell(f"P{row['incident__priority']}"),
             Cell(row["incident__title"]),
             Cell(row["incident__team__name"] or "—"),
             Cell(_local(row["declared_at"])),
             Cell(_local(row["update_due_at"]))]
            for row in active]
    return PanelData(
        name="major_incidents", title=_("Major incidents"), kind="table",
        headlines=[Headline("active", _("Emergency in progress"), counts["active"]),
                   Headline("declared", _("Declared in the period"), counts["declared"])],
        columns=[_("Number"), _("Priority"), _("Title"), _("Team"), _("Declared at"),
                 _("Next status update due")],
        rows=rows, note=period_note(period))


def _incident_url(number: str) -> str:
    return reverse("incidents:detail", args=[number])


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


def _hot_spots(user, filters: PanelFilters, now: datetime, *, name, title, axis, group):
    """The groups whose incidents (registered in the period, duplicates
    aside) were reassigned most."""
    period = filters.period_or_month_of(now)
    rows = (_incidents(user, filters)
            .filter(registered_at__gte=period.start, registered_at__lt=period.end,
                    duplicate_of=None, reassignment_count__gt=0)
            .values(*group)
            .annotate(reassignments=Sum("reassignment_count"), tickets=Count("id"))
            .order_by("-reassignments", *group)[:HOT_SPOTS])
    rows = list(rows)
    labels = [" / ".join(row[key] for key in reversed(group) if row[key]) or _("(none)")
              for row in rows]
    return chart(name, title, "bar", axis=axis, labels=labels, note=period_note(period),
                 series=[Series("reassignments", _("Reassignments"),
                                [row["reassignments"] for row in rows]),
                         Series("tickets", _("Incidents reassigned"),
                                [row["tickets"] for row in rows])])


def reassignments_by_category(user, filters: PanelFilters, now: datetime):
    return _hot_spots(user, filters, now, name="reassignments_by_category",
                      title=_("Reassignment hot spots by category"), axis=_("Category"),
                      group=("category__name", "category__parent__name"))


def reassignments_by_team(user, filters: PanelFilters, now: datetime):
    return _hot_spots(user, filters, now, name="reassignments_by_team",
                      title=_("Reassignment hot spots by team"), axis=_("Team"),
                      group=("team__name",))


PANELS = {
    "sla_compliance": sla_compliance,
    "escalations": escalations,
    "major_incidents": major_incidents,
    "reassignments_by_category": reassignments_by_category,
    "reassignments_by_team": reassignments_by_team,
}
