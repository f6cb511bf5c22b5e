"""The monthly report as a PDF: the same sections as the web page, laid out
by a print stylesheet (A4 landscape, page numbers, table headers repeated
on each page) and rendered by WeasyPrint.

WeasyPrint is maintained, needs no browser and draws with Pango, so Chinese
text comes out as real, searchable text in any installed CJK font (Debian:
fonts-wqy-microhei or fonts-noto-cjk). Links resolve against
OPSDESK_BASE_URL, so a KPI in the PDF still leads to its tickets."""

import logging

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from opsdesk.core import clock

# WeasyPrint reports every CSS property it ignores at WARNING level.
logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)


def document(report) -> bytes:
    from weasyprint import HTML  # heavy: loaded only when a PDF is made

    html = render_to_string("reports/monthly_document.html", {
        "report": report, "generated_at": clock.now(),
        "language": translation.get_language()})
    return HTML(string=html, base_url=settings.OPSDESK_BASE_URL + "/").write_pdf()
