"""The service-desk dashboard: what came in today, what is open, what is
about to miss its target, and whether the backlog grows. Each panel is one to
three aggregate queries on indexed columns."""

from datetime import datetime, time, timedelta
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.db.models.functions import ExtractHour, TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opsdesk.core.models import Team
from opsdesk.incidents import queries
from opsdesk.incidents.choices import UNRESOLVED_STATUSES, Channel, Status
from opsdesk.incidents.templatetags.incident_console import may_monitor

from .dashboard_data import Headline, PanelFilters, Series, chart

BACKLOG_DAYS = 30
PRIORITIES = (1, 2, 3, 4)


def _incidents(user, filters: PanelFilters):
    return filters.scope(queries.visible_incidents(user))


def _midnight(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _open_queue_url(team_name: str | None, **params) -> str:
    if team_name:
        params["team"] = team_name
    return f"{reverse('incidents:queue')}?{urlencode({'queue': 'open', **params})}"


def _team_name(filters: PanelFilters) -> str | None:
    if filters.filters.team is None:
        return None
    return Team.objects.filter(pk=filters.filters.team).values_list("name", flat=True).first()


def intake_today(user, filters: PanelFilters, now: datetime):
    """Incidents registered since midnight, by hour and channel."""
    today = timezone.localdate(now)
    rows = (_incidents(user, filters)
            .filter(registered_at__gte=_midnight(today), registered_at__lte=now)
            .annotate(hour=ExtractHour("registered_at", tzinfo=timezone.get_current_timezone()))
            .values("hour", "channel").annotate(count=Count("id")).order_by())
    counts = {(row["hour"], row["channel"]): row["count"] for row in rows}
    hours = range(timezone.localtime(now).hour + 1)
    channels = [channel for channel in Channel if any(key[1] == channel for key in counts)]
    series = [Series(channel.value, channel.label,
                     [counts.get((hour, channel.value), 0) for hour in hours])
              for channel in channels]
    return chart("intake_today", _("Today's intake"), "bar", axis=_("Hour"),
                 labels=[f"{hour:02d}:00" for hour in hours], series=series, stacked=True,
                 headlines=[Headline("total", _("Registered today"), sum(counts.values()))],
                 note=_("Incidents registered since midnight, by hour and channel."))


def open_by_priority(user, filters: PanelFilters, now: datetime):
    rows = (_incidents(user, filters).exclude(status=Status.CLOSED)
            .values("priority").annotate(count=Count("id")).order_by())
    counts = {row["priority"]: row["count"] for row in rows}
    team_name = _team_name(filters)
    values = [counts.get(priority, 0) for priority in PRIORITIES]
    urls = [_open_queue_url(team_name, priority=priority) for priority in PRIORITIES]
    return chart("open_by_priority", _("Open by priority"), "pie", axis=_("Priority"),
                 labels=[f"P{priority}" for priority in PRIORITIES],
                 series=[Series("open", _("Open"), values, urls)],
                 headlines=[Headline("open", _("Open"), sum(values),
                                     _open_queue_url(team_name))],
                 note=_("Incidents not yet closed (resolved ones wait for confirmation)."))


def breaching(user, filters: PanelFilters, now: datetime):
    breached = queries.breached_condition(now)
    near = queries.near_breach_condition(now) & ~breached
    rows = (_incidents(user, filters).filter(status__in=UNRESOLVED_STATUSES)
            .filter(breached | near).values("priority")
            .annotate(breached=Count("id", filter=breached), near=Count("id", filter=near))
            .order_by())
    by_priority = {row["priority"]: row for row in rows}
    monitor = [reverse("incidents:monitor")] * len(PRIORITIES) if may_monitor(user) else None
    series = [
        Series(key, label, [by_priority.get(priority, {}).get(key, 0) for priority in PRIORITIES],
               monitor)
        for key, label in (("breached", _("Breaching now")), ("near", _("Near breach")))
    ]
    return chart("breaching", _("Breaching and near breach"), "bar", axis=_("Priority"),
                 labels=[f"P{priority}" for priority in PRIORITIES], series=series,
                 headlines=[Headline(s.key, s.label, sum(s.values)) for s in series],
                 note=_("Unresolved incidents past a response or resolution deadline, and "
                        "those past the near-breach point of one."))


def backlog_trend(user, filters: PanelFilters, now: datetime):
    """Open incidents at the end of each of the last 30 days. Walked back
    from today's open count: a day ago there were the incidents open now,
    less those registered since, plus those closed since (a closed incident
    never reopens; a rejected one is closed and copied)."""
    today = timezone.localdate(now)
    days = [today - timedelta(days=back) for back in range(BACKLOG_DAYS - 1, -1, -1)]
    incidents = _incidents(user, filters)
    open_now = incidents.exclude(status=Status.CLOSED).count()
    since = Q(registered_at__gte=_midnight(days[0]), registered_at__lte=now)
    registered = _per_day(incidents.filter(since), "registered_at")
    closed = _per_day(incidents.filter(closed_at__gte=_midnight(days[0]), closed_at__lte=now),
                      "closed_at")
    values, open_at_end = [], open_now
    for day in reversed(days):
        values.append(open_at_end)
        open_at_end += closed.get(day, 0) - registered.get(day, 0)
    values.reverse()
    return chart("backlog_trend", _("Backlog trend"), "line", axis=_("Day"),
                 labels=[day.isoformat() for day in days],
                 series=[Series("open", _("Open at end of day"), values)],
                 headlines=[Headline("open", _("Open now"), open_now)],
                 note=_("Incidents open at the end of each of the last 30 days."))


def _per_day(incidents, column: str) -> dict:
    # COUNT(*) reads nothing but `column`: an index-only scan of its index.
    rows = (incidents.annotate(day=TruncDate(column, tzinfo=timezone.get_current_timezone()))
            .values("day").annotate(count=Count("*")).order_by())
    return {row["day"]: row["count"] for row in rows}


PANELS = {
    "intake_today": intake_today,
    "open_by_priority": open_by_priority,
    "breaching": breaching,
    "backlog_trend": backlog_trend,
}
