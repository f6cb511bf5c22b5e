"""The worker's report handler: the monthly service reports (RPT-01)."""

import logging

from . import monthly_actions
from .kpi_snapshots import CollectKpiSnapshots

log = logging.getLogger("opsdesk.reports")


class MonthlyReports:
    """Queue last month's reports on the first working day of a month, then
    generate them one per call."""

    name = "monthly-reports"
    slow = True  # a report reads a month of tickets and renders a PDF

    def handle_one(self) -> bool:
        if monthly_actions.schedule_due() is not None:
            return True
        report = monthly_actions.generate_one()
        if report is None:
            return False
        log.info("%s: %s %s", self.name, report.number, report.state)
        return True


def handlers() -> list:
    return [MonthlyReports(), CollectKpiSnapshots()]
