"""The worker's problem handler: the daily trend analysis (PRB-05)."""

import logging

from . import trends

log = logging.getLogger("opsdesk.problems")


class DailyTrendAnalysis:
    name = "problem-trends"
    slow = True  # reads a month of incidents: never in the escalations' way

    def handle_one(self) -> bool:
        proposed = trends.run_daily()
        if proposed is None:
            return False
        log.info("%s: proposed %d problems", self.name, len(proposed))
        return True


def handlers() -> list:
    return [DailyTrendAnalysis()]
