"""Every KPI of seed 004 §5.11 (事件解决评估机制) and seed 003 (problems), in
the seed's order, each with its filter as the seed words it.

Where the seed leaves a choice open, the reading taken is stated in the
KPI's definition (shown to users next to the figure) and in the README:
- rates are percentages of 事件总数 (see kpi_sources) unless the seed names
  another base; on-site figures are taken over the incidents dispatched on
  site (an on-site stint), the "事件总数" of the on-site engineers;
- "completed" (完成的事件) is resolved or closed, as the on-site rows say;
- satisfaction is the mean score of the incidents that have one: an
  unanswered survey is no score of zero;
- 重新开单 (re-opened) are the incidents whose resolution the requester
  rejected: each has exactly one copy, which keeps the occurrence time and
  so falls in the same period; the copy itself counts as a new ticket."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import DurationField, ExpressionWrapper, F, Q
from django.utils.translation import gettext_lazy as _

from opsdesk.core.choices import Tier
from opsdesk.incidents.choices import ClosureCode, Status

from .kpi_flags import stint_fact
from .kpi_measures import Mean, PerRow, Share, Tally, everything
from .kpi_sources import CALLS, INCIDENTS, PROBLEMS

# Seed 004 names no answer time for 电话响应及时率; 15 s is the usual
# service-desk standard (80 % in 20 s is the other common one).
DEFAULT_CALL_ANSWER_SECONDS = 15
AVAILABILITY = "availability"


def call_answer_seconds() -> int:
    return getattr(settings, "OPSDESK_CALL_ANSWER_SECONDS", DEFAULT_CALL_ANSWER_SECONDS)


@dataclass(frozen=True)
class KpiDefinition:
    key: str
    section: str
    label: str
    definition: str
    unit: str
    target: Decimal | None = None
    target_direction: str = ">="
    drillable: bool = True
    source: object = field(default=INCIDENTS, compare=False, repr=False)
    measure: object = field(default=None, compare=False, repr=False)

    def meets(self, value: Decimal | None) -> bool | None:
        if value is None or self.target is None:
            return None
        return value >= self.target if self.target_direction == ">=" else value <= self.target


# ------------------------------------------------------------------ conditions


def when(**lookups):
    return lambda period: Q(**lookups)


def fact(name: str):
    return lambda period: stint_fact(name)


def resolved_or_escalated_in_time(period=None) -> Q:
    """The service desk resolved it within its resolution target, or passed
    it to a support team before its response deadline (at any time when it
    has none)."""
    return (Q(resolver_role=Tier.SERVICE_DESK, resolved_at__isnull=False,
              resolve_breached=False)
            | stint_fact("handed_on_in_time")
            | (stint_fact("handed_on") & Q(response_due_at=None)))


def major(period=None) -> Q:
    return Q(priority__in=(1, 2))


def completed_by(role: str):
    return lambda period: Q(status__in=(Status.RESOLVED, Status.CLOSED), resolver_role=role,
                            resolved_at__isnull=False)


def satisfaction_of(base) -> Mean:
    """The mean score of the rows of `base` that have one."""
    return Mean(lambda period: base(period) & Q(satisfaction_score__isnull=False),
                lambda: F("satisfaction_score"))


def complaints_of(base) -> PerRow:
    return PerRow(base, "complaint_count")


def both(*conditions):
    def combined(period):
        result = Q()
        for condition in conditions:
            result &= condition(period)
        return result
    return combined


def elapsed(start: str, end: str = "resolved_at"):
    return lambda: ExpressionWrapper(F(end) - F(start), output_field=DurationField())


def problems_opened(period) -> Q:
    return Q(opened_at__gte=period.start, opened_at__lt=period.end)


def problems_solved(period) -> Q:
    return Q(resolved_at__gte=period.start, resolved_at__lt=period.end)


def answered(period=None) -> Q:
    return Q(answered_at__isnull=False)


def answered_in_time(period=None) -> Q:
    return Q(answered_at__isnull=False, answer_seconds__lte=call_answer_seconds())


SUCCESSFUL_IN_TIME = Q(resolve_breached=False, closure_code=ClosureCode.SUCCESSFUL)
WITH_PROBLEM = when(closure_code=ClosureCode.SUCCESSFUL_WITH_PROBLEM)
ONSITE_RESOLVED = when(resolver_role=Tier.ONSITE)
ON_SITE = fact("on_site")

# ------------------------------------------------------------------ the list

_INCIDENT = [
    KpiDefinition(
        "incidents_total", "incident", _("Total incidents"),
        _("Incidents not marked as a duplicate whose occurrence time is in the period."),
        "count", measure=Tally()),
    KpiDefinition(
        "closed_rate", "incident", _("Closed incidents"),
        _("Of the total, status closed; rate = closed / total × 100%."),
        "percent", measure=Share(when(status=Status.CLOSED))),
    KpiDefinition(
        "successful_closure_rate", "incident", _("Successfully closed incidents"),
        _("Of the total, closure code successful; rate = count / total × 100%."),
        "percent", measure=Share(when(closure_code=ClosureCode.SUCCESSFUL))),
    KpiDefinition(
        "major_incident_rate", "incident", _("Major incidents"),
        _("Of the total, priority 1 or 2; rate = count / total × 100%."),
        "percent", measure=Share(major)),
    KpiDefinition(
        "knowledge_use_rate", "incident", _("Knowledge-base utilisation"),
        _("Of the total, incidents resolved with a knowledge article recorded as used; "
          "rate = count / total × 100%."),
        "percent", measure=Share(when(knowledge_used=True))),
    KpiDefinition(
        "escalated_to_problem_rate", "incident", _("Escalated to problem"),
        _("Of the total, closure code successful with a problem raised; "
          "rate = count / total × 100%."),
        "percent", measure=Share(WITH_PROBLEM)),
    KpiDefinition(
        "service_availability", "incident", _("Service availability"),
        _("Failure-free time / total service time, per service, 7×24. A failure is a fault "
          "(not a duplicate) on the service from its occurrence until business recovery "
          "(or resolution, or now); overlapping failures count once."),
        "percent", source=AVAILABILITY),
]

_SERVICE_DESK = [
    KpiDefinition(
        "calls_offered", "service_desk", _("Calls offered"),
        _("Inbound calls to the service desk in the period."),
        "count", source=CALLS, measure=Tally()),
    KpiDefinition(
        "calls_answered", "service_desk", _("Calls answered"),
        _("Inbound calls in the period that were answered."),
        "count", source=CALLS, measure=Tally(answered)),
    KpiDefinition(
        "answer_rate", "service_desk", _("Call answer rate"),
        _("Answered calls / calls offered × 100%; target at least 95%."),
        "percent", Decimal(95), source=CALLS, measure=Share(answered)),
    KpiDefinition(
        "answer_timeliness_rate", "service_desk", _("Call response timeliness"),
        _("Calls answered within the answer time (OPSDESK_CALL_ANSWER_SECONDS, 15 s by "
          "default) / calls answered × 100%."),
        "percent", source=CALLS, measure=Share(answered_in_time, answered)),
    KpiDefinition(
        "logging_rate", "service_desk", _("Ticket logging rate"),
        _("Answered calls logged on a ticket / calls answered × 100%; target 100%."),
        "percent", Decimal(100), source=CALLS,
        measure=Share(when(incident__isnull=False), answered)),
    KpiDefinition(
        "response_rate_vip", "service_desk", _("Response rate, VIP customers"),
        _("VIP incidents of the total responded to within the response target / VIP "
          "incidents × 100%."),
        "percent", measure=Share(when(responded_at__isnull=False, response_breached=False),
                                 when(is_vip=True))),
    KpiDefinition(
        "response_rate_normal", "service_desk", _("Response rate, normal customers"),
        _("Other incidents of the total responded to within the response target / those "
          "incidents × 100%."),
        "percent", measure=Share(when(responded_at__isnull=False, response_breached=False),
                                 when(is_vip=False))),
    KpiDefinition(
        "resolve_or_escalate_rate", "service_desk", _("Ticket resolve-or-escalate rate"),
        _("Of the total, incidents the service desk resolved within the resolution target "
          "or passed to a support team before the response deadline; target at least 90%."),
        "percent", Decimal(90), measure=Share(resolved_or_escalated_in_time)),
    KpiDefinition(
        "first_time_resolution_rate", "service_desk", _("First-time resolution rate"),
        _("(Total − re-opened) / total × 100%: re-opened are incidents whose resolution the "
          "requester rejected (a copy was opened); target at least 80%."),
        "percent", Decimal(80), measure=Share(when(reopened=False))),
    KpiDefinition(
        "major_resolve_or_escalate_rate", "service_desk",
        _("Priority 1–2 resolve-or-escalate rate"),
        _("As the resolve-or-escalate rate, over the priority 1 and 2 incidents of the total."),
        "percent", measure=Share(resolved_or_escalated_in_time, major)),
    KpiDefinition(
        "resolved_within_sla_rate", "service_desk", _("Resolved within the agreed time"),
        _("Of the total, resolution target not missed and closure code successful; "
          "rate = count / total × 100%."),
        "percent", measure=Share(lambda period: SUCCESSFUL_IN_TIME)),
    KpiDefinition(
        "desk_mean_resolution_hours", "service_desk", _("Service desk mean resolution time"),
        _("Over the incidents of the total resolved or closed with resolver role service "
          "desk: mean of (completed at − registered at), in hours, pending time included."),
        "hours", target_direction="<=",
        measure=Mean(completed_by(Tier.SERVICE_DESK), elapsed("registered_at"), "hours")),
    KpiDefinition(
        "desk_satisfaction", "service_desk", _("Service desk satisfaction"),
        _("Mean satisfaction score (1–5) of the incidents of the total that have one."),
        "score", measure=satisfaction_of(everything)),
    KpiDefinition(
        "desk_complaint_rate", "service_desk", _("Service desk complaints"),
        _("Complaints recorded on the incidents of the total / total × 100%."),
        "percent", target_direction="<=", measure=complaints_of(everything)),
]

_ONSITE = [
    KpiDefinition(
        "onsite_arrival_on_time_rate", "onsite", _("Arrived on site on time"),
        _("Of the incidents dispatched on site, those where the engineer arrived by the "
          "arrival deadline; rate = count / dispatched × 100%."),
        "percent", measure=Share(fact("arrived_in_time"), ON_SITE)),
    KpiDefinition(
        "onsite_mean_response_minutes", "onsite", _("On-site mean response time"),
        _("Mean of (accepted − dispatched) of each incident's first accepted on-site "
          "dispatch, in minutes."),
        "minutes", target_direction="<=",
        measure=Mean(fact("on_site_accepted"), lambda: F("on_site_response"), "minutes")),
    KpiDefinition(
        "onsite_resolution_rate", "onsite", _("On-site resolution rate"),
        _("Of the incidents dispatched on site, resolver role on-site; "
          "rate = count / dispatched × 100%."),
        "percent", measure=Share(ONSITE_RESOLVED, ON_SITE)),
    KpiDefinition(
        "onsite_resolved_within_sla_rate", "onsite", _("Resolved on site within the agreed time"),
        _("Of the incidents dispatched on site: resolution target not missed, closure code "
          "successful and resolver role on-site; rate = count / dispatched × 100%."),
        "percent", measure=Share(lambda period: SUCCESSFUL_IN_TIME & ONSITE_RESOLVED(period),
                                 ON_SITE)),
    KpiDefinition(
        "onsite_mean_resolution_hours", "onsite", _("On-site mean resolution time"),
        _("Over the incidents of the total resolved or closed with resolver role on-site: "
          "mean of (completed at − registered at), in hours."),
        "hours", target_direction="<=",
        measure=Mean(completed_by(Tier.ONSITE), elapsed("registered_at"), "hours")),
    KpiDefinition(
        "vendor_mean_resolution_hours", "onsite", _("Third-party mean resolution time"),
        _("Over the incidents of the total resolved or closed with resolver role third "
          "party: mean of (completed at − transferred to the third party), in hours."),
        "hours", target_direction="<=",
        measure=Mean(both(completed_by(Tier.VENDOR),
                          when(transferred_to_vendor_at__isnull=False)),
                     elapsed("transferred_to_vendor_at"), "hours")),
    KpiDefinition(
        "onsite_escalated_to_problem_rate", "onsite", _("On-site escalated to problem"),
        _("Of the incidents dispatched on site, closure code successful with a problem "
          "raised; rate = count / dispatched × 100%."),
        "percent", measure=Share(WITH_PROBLEM, ON_SITE)),
    KpiDefinition(
        "onsite_satisfaction", "onsite", _("On-site satisfaction"),
        _("Mean satisfaction score (1–5) of the incidents dispatched on site that have one."),
        "score", measure=satisfaction_of(ON_SITE)),
    KpiDefinition(
        "onsite_complaint_rate", "onsite", _("On-site complaints"),
        _("Complaints recorded on the incidents dispatched on site / those incidents × 100%."),
        "percent", target_direction="<=", measure=complaints_of(ON_SITE)),
]

_PROBLEM = [
    KpiDefinition(
        "problems_total", "problem", _("Problems"),
        _("Problems accepted (opened) in the period; proposals not yet accepted do not count."),
        "count", source=PROBLEMS, measure=Tally(problems_opened)),
    KpiDefinition(
        "problem_resolution_rate", "problem", _("Problem resolution rate"),
        _("Problems solved in the period / the period's problems (open at its start or "
          "opened in it) × 100%."),
        "percent", source=PROBLEMS, measure=Share(problems_solved)),
]

KPIS = {kpi.key: kpi for kpi in _INCIDENT + _SERVICE_DESK + _ONSITE + _PROBLEM}
SECTIONS = {
    "incident": _("Incident"),
    "service_desk": _("Service desk"),
    "onsite": _("On-site support"),
    "problem": _("Problem"),
}
