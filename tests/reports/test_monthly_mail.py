"""The monthly report mail (RPT-01): the scheduled run mails each subscriber
one message with the PDF and the XLSX of their scope attached, in their
language; over the size cap the mail says so and links the files; SMS and
robots get links; a report deleted before delivery is still mailed whole."""

from io import BytesIO

import pytest
import time_machine
from django.conf import settings
from openpyxl import load_workbook

from opsdesk.core.choices import Role
from opsdesk.core.models import Notification, NotificationFile, NotificationPreference
from opsdesk.reports import monthly_actions
from opsdesk.reports.models import GeneratedReport, ReportFile

from ..notify.conftest import (  # noqa: F401  (fixtures)
    deliver_all,
    header,
    http_recorder,
    smtp_port,
    smtp_server,
)
from ..notify.test_channels import _target
from .monthly_helpers import october
from .test_monthly_generation import run_worker, shanghai

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BASE = settings.OPSDESK_BASE_URL


def _make_and_queue(cast) -> None:
    """The schedule's run on the first working day of November: October's
    reports generated, their mails queued (not yet delivered)."""
    october(cast)
    with time_machine.travel(shanghai(11, 2), tick=False):
        run_worker()


def _mails_by_address(server):
    return {header(mail, "To"): mail for mail in server.messages}


def _attached(mail) -> dict[str, tuple[str, bytes]]:
    return {part.get_filename(): (part.get_content_type(), part.get_payload(decode=True))
            for part in mail.iter_attachments()}


def _text(mail) -> str:
    # A text part inside a multipart mail arrives with its CRLF line ends.
    return mail.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def _cover_title(xlsx: bytes) -> str:
    return load_workbook(BytesIO(xlsx)).worksheets[0]["A1"].value


def test_each_subscriber_gets_one_mail_with_the_pdf_and_xlsx_of_their_scope(
        cast, smtp_server):  # noqa: F811
    mingda_manager = cast._user("manager_mingda", "明达项目经理", Role.SERVICE_MANAGER, None,
                                customer=cast.other_customer)
    director = cast._user("director_liu", "刘总监", Role.OPS_DIRECTOR, None)
    monthly_actions.subscribe(None, actor=cast.lead_wang)
    monthly_actions.subscribe(None, actor=director)
    monthly_actions.subscribe(cast.customer, actor=cast.leader_ma)
    monthly_actions.subscribe(cast.other_customer, actor=mingda_manager)
    cast.leader_ma.language = "en"
    cast.leader_ma.save()

    _make_and_queue(cast)
    assert deliver_all() == 4

    mails = _mails_by_address(smtp_server)
    assert len(smtp_server.messages) == len(mails) == 4
    expected = {"lead_wang@example.com": "RPT-202610", "director_liu@example.com": "RPT-202610",
                "leader_ma@example.com": "RPT-202610-huaxin",
                "manager_mingda@example.com": "RPT-202610-mingda"}
    for address, number in expected.items():
        files = _attached(mails[address])
        assert list(files) == [f"{number}.pdf", f"{number}.xlsx"]
        pdf_type, pdf = files[f"{number}.pdf"]
        xlsx_type, xlsx = files[f"{number}.xlsx"]
        assert (pdf_type, xlsx_type) == ("application/pdf", XLSX_TYPE)
        assert pdf.startswith(b"%PDF-")
        stored = GeneratedReport.objects.get(customer__code=number.partition("-202610-")[2]
                                             or None)
        assert {file.format: bytes(file.content) for file in stored.files.all()} == {
            "pdf": pdf, "xlsx": xlsx}
    huaxin_title = _cover_title(_attached(mails["leader_ma@example.com"])[
        "RPT-202610-huaxin.xlsx"][1])
    assert "华信证券" in huaxin_title and "明达" not in huaxin_title
    assert "明达物流" in _cover_title(_attached(mails["manager_mingda@example.com"])[
        "RPT-202610-mingda.xlsx"][1])
    # The two subscribers of the whole service share one stored copy of its files.
    assert NotificationFile.objects.count() == 2 * 3

    english = _text(mails["leader_ma@example.com"])
    assert ("The PDF and the XLSX are attached to this mail "
            "(RPT-202610-huaxin.pdf, RPT-202610-huaxin.xlsx).") in english
    assert f"PDF:  {BASE}/reports/monthly/2026-10/report.pdf?customer=huaxin" in english
    assert f"XLSX: {BASE}/reports/monthly/2026-10/report.xlsx?customer=huaxin" in english
    chinese = _text(mails["lead_wang@example.com"])
    assert "本邮件附有 PDF 和 XLSX 文件（RPT-202610.pdf、RPT-202610.xlsx）。" in chinese
    assert f"PDF：{BASE}/reports/monthly/2026-10/report.pdf\n" in chinese


def test_over_the_cap_the_mail_links_the_files_and_says_why(cast, settings,
                                                            smtp_server):  # noqa: F811
    settings.OPSDESK_MAIL_ATTACHMENT_MAX_BYTES = 20_000  # a PDF alone is larger
    monthly_actions.subscribe(None, actor=cast.lead_wang)
    monthly_actions.subscribe(None, actor=cast.leader_ma)
    cast.leader_ma.language = "en"
    cast.leader_ma.save()

    _make_and_queue(cast)
    assert deliver_all() == 2

    assert not NotificationFile.objects.exists()
    mails = _mails_by_address(smtp_server)
    assert [_attached(mail) for mail in mails.values()] == [{}, {}]
    chinese = _text(mails["lead_wang@example.com"])
    assert "报告文件（RPT-202610.pdf、RPT-202610.xlsx）过大，无法作为邮件附件发送。" in chinese
    assert f"PDF：{BASE}/reports/monthly/2026-10/report.pdf\n" in chinese
    assert "本邮件附有" not in chinese
    english = _text(mails["leader_ma@example.com"])
    assert ("The files (RPT-202610.pdf, RPT-202610.xlsx) were too large to attach to this "
            "mail.\nDownload them after signing in:\n"
            f"PDF:  {BASE}/reports/monthly/2026-10/report.pdf\n") in english


def test_a_report_deleted_before_delivery_is_still_mailed_whole(cast, smtp_server):  # noqa: F811
    monthly_actions.subscribe(cast.customer, actor=cast.lead_wang)
    _make_and_queue(cast)
    report = GeneratedReport.objects.get(customer=cast.customer)
    queued_pdf = bytes(ReportFile.objects.get(report=report, format="pdf").content)

    GeneratedReport.objects.all().delete()
    assert not ReportFile.objects.exists()
    assert deliver_all() == 1

    [mail] = smtp_server.messages
    files = _attached(mail)
    assert list(files) == ["RPT-202610-huaxin.pdf", "RPT-202610-huaxin.xlsx"]
    assert files["RPT-202610-huaxin.pdf"][1] == queued_pdf
    assert "华信证券" in _cover_title(files["RPT-202610-huaxin.xlsx"][1])
    assert Notification.objects.get().status == "delivered"


@pytest.mark.usefixtures("smtp_server")
def test_sms_and_robots_get_the_links_and_no_files(cast, http_recorder):  # noqa: F811
    wang = cast.lead_wang
    wang.phone = "13800000009"
    wang.save()
    gateway = _target(http_recorder, "sms", "/sms/send")
    robot = _target(http_recorder, "wecom", "/cgi-bin/webhook/send?key=k-1")
    NotificationPreference.objects.bulk_create([
        NotificationPreference(user=wang, channel="sms", target=gateway),
        NotificationPreference(user=wang, channel="wecom", target=robot)])
    monthly_actions.subscribe(None, actor=wang)

    _make_and_queue(cast)

    rows = {row.channel: row for row in Notification.objects.all()}
    assert sorted(rows) == ["email", "sms", "wecom"]
    assert [rows[channel].attachments.count() for channel in ("email", "sms", "wecom")] == [
        2, 0, 0]
    robot_body = rows["wecom"].body
    assert "登录后可下载：" in robot_body and "本邮件附有" not in robot_body
    assert f"PDF：{BASE}/reports/monthly/2026-10/report.pdf" in robot_body
    assert deliver_all() == 3
    by_path = {request.path: request.json() for request in http_recorder.requests}
    assert by_path["/sms/send"]["text"].endswith(f" {BASE}/reports/monthly/2026-10/")
    assert "登录后可下载：" in by_path["/cgi-bin/webhook/send?key=k-1"]["markdown"]["content"]
