"""Browser walk (RPT-01): the incident manager opens last month's service
report, generates it, downloads the XLSX and the PDF (openpyxl reads the
one, pdftotext finds the KPI names in the other) and follows a KPI to the
tickets behind it."""

import subprocess
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.reports.kpi_helpers import Records

pytestmark = pytest.mark.browser


@pytest.fixture
def last_month(people, settings):
    """Two incidents of last month, in real time (the walk's clock runs);
    files are generated in English, like the pages the walk reads."""
    settings.LANGUAGE_CODE = "en"
    first = timezone.localdate().replace(day=1) - timedelta(days=1)
    first = first.replace(day=1)
    records = Records(people)
    moment = timezone.make_aware(datetime.combine(first + timedelta(days=2), time(10)))
    return [records.resolved(moment, 2, closed_at=moment + timedelta(hours=3)),
            records.incident(moment + timedelta(days=1))], first


def test_a_manager_generates_and_downloads_the_monthly_report(people, last_month, desk,
                                                              tmp_path):
    incidents, first = last_month
    page = desk.sign_in(people.lead_wang, language="en")
    page.get_by_test_id("nav-monthly-report").click()

    expect(page.get_by_test_id("report-title")).to_contain_text("Whole service")
    kpis = page.get_by_test_id("report-kpis")
    expect(kpis.get_by_role("row").filter(has_text="Total incidents")).to_contain_text("2")
    expect(page.get_by_test_id("report-stored")).to_contain_text("not been generated yet")

    page.get_by_test_id("report-generate").click()
    expect(page.get_by_test_id("message")).to_contain_text(f"RPT-{first:%Y%m}")

    with page.expect_download() as xlsx_download:
        page.get_by_test_id("download-xlsx").click()
    xlsx = tmp_path / "report.xlsx"
    xlsx_download.value.save_as(xlsx)
    book = load_workbook(xlsx)
    assert "KPIs against targets" in book.sheetnames
    assert any(row[0] == "Total incidents" and row[2] == 2
               for row in book["KPIs against targets"].iter_rows(values_only=True))

    with page.expect_download() as pdf_download:
        page.get_by_test_id("download-pdf").click()
    pdf = tmp_path / "report.pdf"
    pdf_download.value.save_as(pdf)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True,
                          text=True).stdout
    for name in ("Total incidents", "First-time resolution rate", "Call answer rate"):
        assert name in text

    kpis.get_by_role("link", name="Total incidents").click()
    for incident in incidents:
        expect(page.get_by_text(incident.number)).to_be_visible()
