"""Every change to monthly reports and subscriptions goes through here.

Generating a report writes its files, marks it ready, notes it on the
timeline and, for the scheduled run, queues the mail to its subscribers:
all in one transaction, so a crash leaves the report pending (the worker
takes it again) and never mails a report that was not stored.

The schedule (worker): from the first working day of a month (default
business calendar), the previous month's reports are due, for the whole
service and for each customer with incidents in that month or a
subscriber. They are queued once per month, however many workers run: the
month's counter is taken in the transaction that queues them, and the
unique constraints keep one report per month and scope."""

import logging
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opsdesk.core import clock, outbox, timeline
from opsdesk.core.claims import claim
from opsdesk.core.counters import next_value
from opsdesk.core.errors import Invalid
from opsdesk.core.models import Counter, Customer
from opsdesk.incidents.models import Incident
from opsdesk.sla import calendar
from opsdesk.sla.models import BusinessCalendar
from opsdesk.sla.queries import load_calendar

from . import monthly, pdf, xlsx
from .models import GeneratedReport, ReportFile, ReportFormat, ReportState, ReportSubscription
from .monthly_access import check_manager, check_scope, may_read_scope
from .periods import Period

log = logging.getLogger("opsdesk.reports")

DEFAULT_CALENDAR_CODE = "workdays"
# Used when the seeded working-days calendar was deleted.
FALLBACK_CALENDAR = calendar.BusinessCalendar(
    time_zone=settings.TIME_ZONE, uses_chinese_holidays=True, name="workdays",
    week=calendar.week_from_dict({day: ["09:00-18:00"] for day in calendar.WEEKDAYS[:5]}))
# A month that has no working day at all (a misconfigured calendar) still
# gets its report on the last day looked at.
LONGEST_HOLIDAY_DAYS = 20


# Generating --------------------------------------------------------------------


def generate_now(period: Period, customer: Customer | None, *, actor, source: str
                 ) -> GeneratedReport:
    """Generate (or regenerate) the report of a month and scope at once: the
    console's button and `opsdesk report monthly`. `actor` None is the
    command line, run by the operator."""
    if actor is not None:
        check_manager(actor)
        check_scope(actor, customer)
    _check_month(period)
    month = period.first_day
    with transaction.atomic(durable=True):
        GeneratedReport.objects.get_or_create(
            month=month, customer=customer,
            defaults={"requested_at": clock.now(), "requested_by": actor,
                      "next_attempt_at": clock.now()})
        report = (GeneratedReport.objects.select_for_update(of=("self",)).select_related("customer")
                  .get(month=month, customer=customer))
        report.requested_at, report.requested_by = clock.now(), actor
        _generate(report, actor=actor, source=source)
    return report


def _check_month(period: Period) -> None:
    if period.start > clock.now():
        raise Invalid(fields={"month": _("%(month)s has not begun yet.") % {
            "month": period.label}})


def _generate(report: GeneratedReport, *, actor, source: str) -> None:
    """Inside the caller's transaction, with the report's row locked."""
    period = Period.month(report.month.year, report.month.month)
    with translation.override(settings.LANGUAGE_CODE):
        content = monthly.build(period, report.customer)
        files = {ReportFormat.PDF: pdf.document(content), ReportFormat.XLSX: xlsx.workbook(content)}
    ReportFile.objects.filter(report=report).delete()
    stored = ReportFile.objects.bulk_create(
        ReportFile(report=report, format=format, size=len(data), content=data,
                   name=f"{report.number}.{format}")
        for format, data in files.items())
    regenerated = report.generated_at is not None
    report.state, report.generated_at = ReportState.READY, clock.now()
    report.language, report.attempts, report.last_error = settings.LANGUAGE_CODE, 0, ""
    report.next_attempt_at = None
    mail = report.mail_subscribers
    report.mail_subscribers = False
    report.save()
    timeline.record(report, actor=actor, source=source,
                    kind="regenerated" if regenerated else "generated",
                    changes={"files": sorted(files)})
    if mail:
        _mail_subscribers(report, stored)


def _mail_subscribers(report: GeneratedReport, files: list[ReportFile]) -> None:
    """The mail carries the PDF and the XLSX (unless together they are over
    the mail size cap) and links to them and to the report page; SMS and
    robots get the text and the links."""
    subscribers = [subscription.user for subscription in ReportSubscription.objects.filter(
        customer=report.customer, user__is_active=True).select_related("user")
        if may_read_scope(subscription.user, report.customer)]
    if not subscribers:
        return
    base = settings.OPSDESK_BASE_URL
    outbox.enqueue(report, event="monthly_report", recipients=subscribers, context={
        "month": report.month_slug, "report": report,
        "scope": report.customer.name if report.customer else gettext_lazy("Whole service"),
        "pdf_link": base + report.file_url(ReportFormat.PDF),
        "xlsx_link": base + report.file_url(ReportFormat.XLSX)},
        attachments=[outbox.Attachment(file.name, file.content_type, file.content)
                     for file in files])


# The worker's part ---------------------------------------------------------------


def first_working_day(year: int, month: int) -> date:
    row = BusinessCalendar.objects.filter(code=DEFAULT_CALENDAR_CODE).first()
    business = FALLBACK_CALENDAR if row is None else load_calendar(row)
    day = date(year, month, 1)
    for _offset in range(LONGEST_HOLIDAY_DAYS):
        if business.is_24x7 or business.hours_on(day):
            return day
        day += timedelta(days=1)
    return day


def schedule_due() -> list[GeneratedReport] | None:
    """Queue last month's reports if they are due and not yet queued; None
    when there was nothing to do."""
    today = timezone.localdate(clock.now())
    previous = Period.month(today.year, today.month).previous()
    key = f"reports:monthly:{previous.first_day:%Y%m}"
    if Counter.objects.filter(key=key).exists():
        return None
    if today < first_working_day(today.year, today.month):
        return None
    with transaction.atomic(durable=True):
        if next_value(key) > 1:
            return None
        return _queue(previous)


def _queue(period: Period) -> list[GeneratedReport]:
    month, now = period.first_day, clock.now()
    with_incidents = Incident.objects.filter(
        occurred_at__gte=period.start, occurred_at__lt=period.end,
        customer__isnull=False).values("customer")
    subscribed = ReportSubscription.objects.filter(customer__isnull=False).values("customer")
    customers = list(Customer.objects.filter(Q(pk__in=with_incidents) | Q(pk__in=subscribed))
                     .order_by("name"))
    queued = []
    for customer in [None, *customers]:
        report, created = GeneratedReport.objects.get_or_create(
            month=month, customer=customer,
            defaults={"requested_at": now, "next_attempt_at": now, "mail_subscribers": True})
        if not created:
            # Made on demand before the month was over: make it again, whole.
            GeneratedReport.objects.filter(pk=report.pk).update(
                state=ReportState.PENDING, requested_at=now, requested_by=None,
                next_attempt_at=now, mail_subscribers=True, attempts=0)
        queued.append(report)
    log.info("queued %d monthly reports for %s", len(queued), month.strftime("%Y-%m"))
    return queued


def generate_one() -> GeneratedReport | None:
    """Generate one due report (the worker); None when none is due."""
    failed = None
    try:
        with transaction.atomic(durable=True):
            due = GeneratedReport.objects.filter(state=ReportState.PENDING,
                                                 next_attempt_at__lte=clock.now())
            pks = claim(due, 1, order_by=("next_attempt_at", "pk"))
            if not pks:
                return None
            report = GeneratedReport.objects.select_related("customer").get(pk=pks[0])
            failed = report
            _generate(report, actor=None, source="worker")
            return report
    except Exception as error:
        if failed is None:
            raise
        log.exception("monthly report %s failed", failed.number)
        _record_failure(failed, f"{type(error).__name__}: {error}")
        return failed


def _record_failure(report: GeneratedReport, error: str) -> None:
    attempts = report.attempts + 1
    GeneratedReport.objects.filter(pk=report.pk, state=ReportState.PENDING).update(
        attempts=attempts, last_error=error[:2000],
        next_attempt_at=clock.now() + outbox.retry_delay(attempts))


# Subscriptions -----------------------------------------------------------------


def subscribe(customer: Customer | None, *, actor) -> ReportSubscription:
    """A manager asks for the report of a scope they may read by mail."""
    check_manager(actor)
    check_scope(actor, customer)
    with transaction.atomic(durable=True):
        subscription, _created = ReportSubscription.objects.get_or_create(
            user=actor, customer=customer, defaults={"created_at": clock.now()})
    return subscription


def unsubscribe(customer: Customer | None, *, actor) -> bool:
    """Anyone may stop their own mail, manager or not any more."""
    with transaction.atomic(durable=True):
        deleted, _rows = ReportSubscription.objects.filter(user=actor, customer=customer).delete()
    return bool(deleted)
