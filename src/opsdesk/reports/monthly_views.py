"""The monthly report in the console: the page (figures as of now, in the
reader's language), the stored files of the last generation, and the
managers' buttons to generate the report and to subscribe to it."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from opsdesk.core.errors import Forbidden, NotFound, OpsDeskError
from opsdesk.core.models import Customer
from opsdesk.incidents.views import console_view

from . import monthly, monthly_actions
from .models import GeneratedReport, ReportFile, ReportFormat, ReportSubscription, monthly_url
from .monthly_access import may_manage, scope_for
from .periods import Period

SOURCE = "web"


def _month(text: str) -> Period:
    try:
        return monthly.parse_month(text)
    except OpsDeskError as error:
        raise Http404(" ".join(map(str, error.fields.values()))) from None


def _scope(request) -> Customer | None:
    try:
        return scope_for(request.user, request.GET.get("customer") or None)
    except NotFound as error:
        raise Http404(str(error.message)) from None
    except Forbidden:
        raise PermissionDenied from None


def _stored(period: Period, customer) -> GeneratedReport | None:
    return GeneratedReport.objects.filter(month=period.first_day, customer=customer).first()


@require_GET
@console_view
def index(request):
    """Last month's report of the reader's scope."""
    period = Period.current_month().previous()
    customer = None
    if request.user.customer_id is not None:
        customer = request.user.customer
    return redirect(monthly_url(f"{period.first_day:%Y-%m}", customer))


@require_GET
@console_view
def page(request, month: str):
    period = _month(month)
    customer = _scope(request)
    stored = _stored(period, customer)
    user = request.user
    scopes = ([user.customer] if user.customer_id is not None
              else [None, *Customer.objects.order_by("name")])
    slug = f"{period.first_day:%Y-%m}"
    return render(request, "reports/monthly.html", {
        "report": monthly.build(period, customer),
        "stored": stored,
        "downloads": _downloads(stored),
        "may_manage": may_manage(user),
        "subscribed": ReportSubscription.objects.filter(user=user, customer=customer).exists(),
        "scopes": [{"label": monthly.scope_label(scope), "url": monthly_url(slug, scope),
                    "current": scope == customer} for scope in scopes],
        "previous_url": monthly_url(f"{period.previous().first_day:%Y-%m}", customer),
        "next_url": _next_url(period, customer),
        "customer": customer,
    })


def _downloads(stored: GeneratedReport | None) -> list[dict]:
    if stored is None:
        return []
    formats = ReportFile.objects.filter(report=stored).values_list("format", flat=True)
    return [{"format": format, "label": ReportFormat(format).label,
             "url": stored.file_url(format)} for format in sorted(formats)]


def _next_url(period: Period, customer) -> str:
    following = Period.month(period.first_day.year, period.first_day.month + 1)
    return monthly_url(f"{following.first_day:%Y-%m}", customer)


@require_POST
@console_view
def generate(request, month: str):
    period = _month(month)
    customer = _scope(request)
    try:
        report = monthly_actions.generate_now(period, customer, actor=request.user,
                                              source=SOURCE)
    except Forbidden:
        raise PermissionDenied from None
    except OpsDeskError as error:
        messages.warning(request, " ".join(map(str, error.fields.values())) or error.message)
    else:
        messages.success(request, _("The report %(number)s is generated and stored.") % {
            "number": report.number})
    return redirect(monthly_url(month, customer))


@require_POST
@console_view
def subscription(request, month: str):
    customer = _scope(request)
    try:
        if request.POST.get("subscribe") == "1":
            monthly_actions.subscribe(customer, actor=request.user)
            messages.success(request, _("You will get this report by e-mail each month."))
        else:
            monthly_actions.unsubscribe(customer, actor=request.user)
            messages.success(request, _("You will no longer get this report by e-mail."))
    except Forbidden:
        raise PermissionDenied from None
    return redirect(monthly_url(month, customer))


@require_GET
@console_view
def download(request, month: str, format: str):
    if format not in ReportFormat.values:
        raise Http404(format)
    period = _month(month)
    customer = _scope(request)
    file = ReportFile.objects.filter(report__month=period.first_day, report__customer=customer,
                                     format=format).first()
    if file is None:
        raise Http404(_("This report has not been generated yet."))
    response = HttpResponse(bytes(file.content), content_type=file.content_type)
    response["Content-Disposition"] = f'attachment; filename="{file.name}"'
    return response
