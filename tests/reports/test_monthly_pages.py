"""The report page, its files and buttons, the subscription mail and the
command: who may do what, and bad input changes nothing."""

from email.message import EmailMessage
from io import BytesIO

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from openpyxl import load_workbook

from opsdesk.cli import main
from opsdesk.core.choices import Role
from opsdesk.core.models import Notification
from opsdesk.core.outbox import DeliverNotifications
from opsdesk.reports import monthly_actions
from opsdesk.reports.models import GeneratedReport, ReportSubscription
from opsdesk.reports.periods import Period

from ..notify.conftest import header, smtp_port, smtp_server  # noqa: F401
from .monthly_helpers import english, october  # noqa: F401
from .test_monthly_generation import run_worker, shanghai

PAGE = "/reports/monthly/2026-10/"


@pytest.fixture
def as_user(client):
    def sign_in(user):
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return sign_in


def test_the_page_shows_every_section_of_the_chosen_scope(cast, as_user):
    october(cast)
    page = as_user(cast.agent_li).get(PAGE, {"customer": "huaxin"})

    assert page.status_code == 200
    html = page.content.decode()
    assert "Monthly service report October 2026 · 华信证券" in html
    for key in ("kpis", "trends", "top_categories", "repeated", "workarounds", "problems",
                "sla", "satisfaction_location", "complaints", "changes"):
        assert f'data-testid="report-{key}"' in html
    assert "明达仓储系统宕机" not in html
    assert "This report has not been generated yet." in html
    assert 'data-testid="report-generate"' not in html  # agents read, managers generate


def test_requesters_and_other_customers_staff_may_not_read_it(cast, as_user):
    assert as_user(cast.requester_zhao).get(PAGE).status_code == 403
    dedicated = cast._user("engineer_mingda", "明达驻场", Role.ENGINEER, cast.l1,
                           customer=cast.other_customer)
    client = as_user(dedicated)
    assert client.get(PAGE).status_code == 403
    assert client.get(PAGE, {"customer": "huaxin"}).status_code == 403
    assert client.get(PAGE, {"customer": "mingda"}).status_code == 200
    # Last month (the clock says November 23rd), in the only scope they have.
    assert client.get("/reports/monthly/").url == PAGE + "?customer=mingda"


def test_bad_months_and_unknown_customers_are_not_found(cast, as_user):
    client = as_user(cast.lead_wang)
    assert client.get("/reports/monthly/2026-13/").status_code == 404
    assert client.get("/reports/monthly/october/").status_code == 404
    assert client.get(PAGE, {"customer": "nobody"}).status_code == 404
    assert client.get(PAGE + "report.pdf").status_code == 404  # not generated yet
    assert client.get(PAGE + "report.doc").status_code == 404


@pytest.mark.usefixtures("english")
def test_a_manager_generates_it_and_downloads_the_files(cast, as_user):
    october(cast)
    client = as_user(cast.lead_wang)

    answer = client.post(PAGE + "generate/?customer=huaxin")
    assert answer.status_code == 302
    report = GeneratedReport.objects.get()
    assert (report.customer, report.state) == (cast.customer, "ready")
    page = client.get(PAGE, {"customer": "huaxin"}).content.decode()
    assert "Report RPT-202610-huaxin stored on 2026-11-23 10:00." in page
    xlsx = client.get(PAGE + "report.xlsx", {"customer": "huaxin"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="RPT-202610-huaxin.xlsx"' in xlsx["Content-Disposition"]
    assert "KPIs against targets" in load_workbook(BytesIO(xlsx.content)).sheetnames
    assert client.get(PAGE + "report.pdf", {"customer": "huaxin"}).content.startswith(b"%PDF")
    # The whole service's report is another one, not generated yet.
    assert client.get(PAGE + "report.pdf").status_code == 404


def test_agents_may_not_generate_or_subscribe(cast, as_user):
    client = as_user(cast.agent_li)
    assert client.post(PAGE + "generate/").status_code == 403
    assert client.post(PAGE + "subscription/", {"subscribe": "1"}).status_code == 403
    assert not GeneratedReport.objects.exists() and not ReportSubscription.objects.exists()


def test_a_manager_subscribes_and_unsubscribes_on_the_page(cast, as_user):
    client = as_user(cast.lead_wang)
    client.post(PAGE + "subscription/?customer=huaxin", {"subscribe": "1"})
    client.post(PAGE + "subscription/?customer=huaxin", {"subscribe": "1"})
    assert list(ReportSubscription.objects.values_list("user", "customer")) == [
        (cast.lead_wang.pk, cast.customer.pk)]
    assert 'data-testid="report-unsubscribe"' in client.get(
        PAGE, {"customer": "huaxin"}).content.decode()
    client.post(PAGE + "subscription/?customer=huaxin", {"subscribe": "0"})
    assert not ReportSubscription.objects.exists()


def deliver_all() -> int:
    handler, sent = DeliverNotifications(), 0
    while handler.handle_one():
        sent += 1
    return sent


def test_subscribers_get_one_mail_with_the_links_when_the_schedule_makes_it(
        cast, smtp_server):  # noqa: F811
    october(cast)
    monthly_actions.subscribe(None, actor=cast.lead_wang)
    monthly_actions.subscribe(cast.customer, actor=cast.leader_ma)
    cast.leader_ma.language = "en"
    cast.leader_ma.save()

    with time_machine.travel(shanghai(11, 2), tick=False):
        run_worker()
        assert deliver_all() == 2
        run_worker()
        monthly_actions.generate_now(Period.month(2026, 10), None, actor=cast.lead_wang,
                                     source="web")
        assert deliver_all() == 0  # regenerating on demand mails nobody

    messages: list[EmailMessage] = smtp_server.messages
    by_address = {message["To"]: message for message in messages}
    assert sorted(by_address) == ["lead_wang@example.com", "leader_ma@example.com"]
    english_mail = by_address["leader_ma@example.com"]
    assert header(english_mail, "Subject") == (
        "[RPT-202610-huaxin] Monthly service report 2026-10 (华信证券) is ready")
    body = english_mail.get_body(preferencelist=("plain",)).get_content()
    base = settings.OPSDESK_BASE_URL
    assert f"PDF:  {base}/reports/monthly/2026-10/report.pdf?customer=huaxin" in body
    assert f"{base}/reports/monthly/2026-10/?customer=huaxin" in body
    assert header(by_address["lead_wang@example.com"], "Subject").startswith("[RPT-202610] ")
    assert Notification.objects.count() == 2
    assert mail.outbox == []


@pytest.mark.usefixtures("english")
def test_the_command_generates_a_customers_report(cast, capsys):
    october(cast)
    code = main(["report", "monthly", "--month", "2026-10", "--customer", "华信证券"])
    out = capsys.readouterr().out
    assert code == 0
    assert "RPT-202610-huaxin generated: Monthly service report October 2026 · 华信证券" in out
    assert "RPT-202610-huaxin.pdf" in out and "RPT-202610-huaxin.xlsx" in out
    assert GeneratedReport.objects.get().state == "ready"


@pytest.mark.parametrize(("arguments", "message"), [
    (["--month", "2026/10"], "Give the month as YYYY-MM, e.g. 2026-10."),
    (["--month", "2027-01"], "January 2027 has not begun yet."),
    (["--month", "2026-10", "--customer", "无此客户"], "Unknown customer “无此客户”."),
])
@pytest.mark.usefixtures("english")
def test_the_command_refuses_bad_input_and_stores_nothing(cast, capsys, arguments,
                                                          message):
    assert main(["report", "monthly", *arguments]) == 1
    assert capsys.readouterr().err.strip() == f"opsdesk: {message}"
    assert not GeneratedReport.objects.exists()
