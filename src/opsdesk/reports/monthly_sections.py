"""The incident sections of the monthly report (INC-19, INC-21): what
happened most, what recurred, what was closed with a workaround, how the
SLA held and what the requesters said. Each is one or two aggregate
queries over the month's incidents, never a loop over tickets.

`base` is the month's incidents as the KPI "incidents total" counts them
(no duplicates, by occurrence time), already narrowed to the report's
customer, so every section agrees with the KPI table."""

from collections import defaultdict

from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from opsdesk.core.choices import Tier
from opsdesk.incidents.choices import ClosureCode
from opsdesk.incidents.models import Incident
from opsdesk.problems.figures import monthly_figures
from opsdesk.problems.models import ProblemIncident
from opsdesk.sla.choices import Priority
from opsdesk.sla.compliance import team_compliance

from .monthly_tables import Measure, Row, Section, share
from .periods import Period

TOP = 10
# Twice in one month on the same CI and category is already a pattern
# worth a look in the review meeting (INC-21); trend analysis (PRB-05)
# proposes a problem at three within thirty days.
REPEATED_MINIMUM = 2
REPEATED_SHOWN = 20
LISTED_AT_MOST = 200


def category_label(row: dict, prefix: str = "category") -> str:
    name, parent = row[f"{prefix}__name"], row[f"{prefix}__parent__name"]
    if name is None:
        return _("(no category)")
    return f"{parent} / {name}" if parent else name


def top_categories(base: QuerySet, total: int, drilldown) -> Section:
    rows = (base.values("category_id", "category__name", "category__parent__name")
            .annotate(n=Count("id")).order_by("-n", "category__name")[:TOP])
    return Section("top_categories", _("Top categories"),
                   (_("Category"), _("Incidents"), _("Share")),
                   tuple(Row((category_label(row), row["n"], share(row["n"], total)),
                             link=drilldown(category=row["category_id"])
                             if row["category_id"] else "")
                         for row in rows))


def top_cis(base: QuerySet, total: int) -> Section:
    rows = (base.exclude(ci=None).values("ci_id", "ci__name")
            .annotate(n=Count("id")).order_by("-n", "ci__name")[:TOP])
    return Section("top_cis", _("Top configuration items"),
                   (_("Configuration item"), _("Incidents"), _("Share")),
                   tuple(Row((row["ci__name"], row["n"], share(row["n"], total)),
                             link=reverse("cmdb:detail", args=[row["ci_id"]]))
                         for row in rows))


def repeated(base: QuerySet) -> Section:
    clusters = list(
        base.exclude(ci=None).exclude(category=None)
        .values("ci_id", "ci__name", "category_id", "category__name", "category__parent__name")
        .annotate(n=Count("id")).filter(n__gte=REPEATED_MINIMUM)
        .order_by("-n", "ci__name")[:REPEATED_SHOWN])
    numbers, problems = defaultdict(list), defaultdict(set)
    if clusters:
        pairs = Q()
        for cluster in clusters:
            pairs |= Q(ci_id=cluster["ci_id"], category_id=cluster["category_id"])
        members = base.filter(pairs)
        for number, ci, category in members.order_by("occurred_at", "id").values_list(
                "number", "ci_id", "category_id"):
            numbers[ci, category].append(number)
        for problem, ci, category in ProblemIncident.objects.filter(
                incident__in=members.values("id")).values_list(
                "problem__number", "incident__ci_id", "incident__category_id"):
            problems[ci, category].add(problem)
    return Section(
        "repeated", _("Repeated incidents"),
        (_("Configuration item"), _("Category"), _("Incidents"), _("Numbers"),
         _("Linked problems")),
        tuple(Row((c["ci__name"], category_label(c), c["n"],
                   ", ".join(numbers[c["ci_id"], c["category_id"]]),
                   ", ".join(sorted(problems[c["ci_id"], c["category_id"]])) or _("none")))
              for c in clusters),
        note=_("The same configuration item and category at least %(n)d times in the month: "
               "for the review meeting on repeated incidents.") % {"n": REPEATED_MINIMUM})


def workaround_closures(period: Period, customer) -> Section:
    closed = Incident.objects.filter(closed_at__gte=period.start, closed_at__lt=period.end,
                                     closure_code=ClosureCode.WORKAROUND, duplicate_of=None)
    if customer is not None:
        closed = closed.filter(customer=customer)
    incidents = list(closed.select_related("customer", "resolved_team")
                     .annotate(problem_count=Count("problem_links"))
                     .order_by("closed_at", "id")[:LISTED_AT_MOST])
    linked = defaultdict(list)
    for incident, problem in ProblemIncident.objects.filter(
            incident__in=[i.pk for i in incidents]).values_list("incident_id", "problem__number"):
        linked[incident].append(problem)
    return Section(
        "workarounds", _("Closed with a workaround"),
        (_("Number"), _("Title"), _("Customer"), _("Resolving team"), _("Closed at"),
         _("Linked problems")),
        tuple(Row((i.number, i.title, str(i.customer or ""), str(i.resolved_team or ""),
                   i.closed_at, ", ".join(linked[i.pk]) or _("none")),
                  link=i.get_absolute_url())
              for i in incidents),
        note=_("For review (INC-21): each needs a problem record until the cause is removed."))


def problem_figures(period: Period, customer) -> Section:
    figures = monthly_figures(period.start.year, period.start.month, customer=customer)
    rate = share(figures.resolved, figures.carried_over + figures.opened)
    return Section(
        "problems", _("Problems"),
        (_("Open at the start of the month"), _("Opened"), _("Solved"), _("Resolution rate")),
        (Row((figures.carried_over, figures.opened, figures.resolved, rate)),),
        note=_("Resolution rate: problems solved in the month / (open at its start + opened "
               "in it) (PRB-06)."))


def sla_by_priority(period: Period, customer) -> Section:
    resolved = Incident.objects.filter(resolved_at__gte=period.start, resolved_at__lt=period.end,
                                       duplicate_of=None)
    if customer is not None:
        resolved = resolved.filter(customer=customer)
    counts = {row["priority"]: row for row in resolved.values("priority").annotate(
        n=Count("id"), response_met=Count("id", filter=Q(response_breached=False)),
        resolve_met=Count("id", filter=Q(resolve_breached=False))).order_by()}
    total = {key: sum(row[key] for row in counts.values())
             for key in ("n", "response_met", "resolve_met")}
    lines = [(str(Priority(p).label), counts.get(p, {"n": 0, "response_met": 0, "resolve_met": 0}))
             for p in Priority.values]
    lines.append((_("All priorities"), total))
    return Section(
        "sla", _("SLA compliance by priority"),
        (_("Priority"), _("Resolved"), _("Response met"), _("Response compliance"),
         _("Resolution met"), _("Resolution compliance")),
        tuple(Row((label, row["n"], row["response_met"], share(row["response_met"], row["n"]),
                   row["resolve_met"], share(row["resolve_met"], row["n"])))
              for label, row in lines),
        note=_("Incidents resolved in the month, against the SLA policy applied to each."))


def ola_compliance(period: Period) -> Section:
    rows = team_compliance(period.start, period.end)
    return Section(
        "ola", _("OLA and underpinning contract compliance"),
        (_("Team"), _("Support tier"), _("Met"), _("Missed"), _("Compliance"),
         _("Vendor response missed")),
        tuple(Row((row.team, str(Tier(row.tier).label), row.met, row.breached,
                   share(row.met, row.total),
                   row.response_missed if row.tier == Tier.VENDOR else None),
                  met=row.breached == 0)
              for row in rows),
        note=_("Each stretch a team or vendor held a ticket, counted in the month it ended."))


def _satisfaction(base: QuerySet, group: tuple[str, ...]) -> list[dict]:
    return list(
        base.values(*group)
        .annotate(surveyed=Count("id", filter=Q(satisfaction_score__isnull=False)),
                  score=Avg("satisfaction_score"), complaints=Sum("complaint_count"))
        .filter(Q(surveyed__gt=0) | Q(complaints__gt=0))
        .order_by(*group))


def _satisfaction_row(label: str, row: dict) -> Row:
    score = None if row["score"] is None else round(row["score"], 2)
    return Row((label, row["surveyed"], Measure(score, "score"), row["complaints"]))


SATISFACTION_COLUMNS = (_("Surveys answered"), _("Mean score (1-5)"), _("Complaints"))


def satisfaction_by_location(base: QuerySet) -> Section:
    rows = _satisfaction(base, ("ci__location",))
    return Section(
        "satisfaction_location", _("Satisfaction by location"),
        (_("Location"), *SATISFACTION_COLUMNS),
        tuple(_satisfaction_row(row["ci__location"] or _("(no location)"), row)
              for row in rows),
        note=_("Location of the configuration item the incident concerned (INC-19)."))


def satisfaction_by_type(base: QuerySet) -> Section:
    rows = _satisfaction(base, ("category__name", "category__parent__name"))
    return Section("satisfaction_type", _("Satisfaction by type"),
                   (_("Category"), *SATISFACTION_COLUMNS),
                   tuple(_satisfaction_row(category_label(row), row) for row in rows))


def complaints(base: QuerySet) -> Section:
    incidents = (base.filter(complaint_count__gt=0)
                 .values("number", "title", "customer__name", "satisfaction_score",
                         "complaint_count", "survey__response__complaint_text")
                 .order_by("occurred_at", "id")[:LISTED_AT_MOST])
    return Section(
        "complaints", _("Complaints"),
        (_("Number"), _("Title"), _("Customer"), _("Satisfaction"), _("Complaints"),
         _("Complaint")),
        tuple(Row((row["number"], row["title"], row["customer__name"] or "",
                   row["satisfaction_score"], row["complaint_count"],
                   row["survey__response__complaint_text"] or ""),
                  link=reverse("incidents:detail", args=[row["number"]]))
              for row in incidents),
        note=_("Each complaint needs a corrective action (INC-19)."))
