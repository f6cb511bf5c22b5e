"""Running a dashboard panel as its page or the API would, and reading its
figures back."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from opsdesk.core import clock
from opsdesk.reports import dashboards

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = datetime(2026, 11, 23, tzinfo=SHANGHAI)  # the frozen day (tests/conftest.py)


def at(days_ago: int, hour: int, minute: int = 0) -> datetime:
    """A Beijing time on a day relative to the frozen Monday."""
    return TODAY - timedelta(days=days_ago) + timedelta(hours=hour, minutes=minute)


def run(name: str, user, **query):
    return dashboards.panel_for(user, name, {key: str(value) for key, value in query.items()},
                                clock.now())


def values(data) -> dict[str, list]:
    """Each series' values by its key."""
    return {series.key: series.values for series in data.series}


def table(data) -> list[list[str]]:
    return [[str(cell.text) for cell in row] for row in data.rows]


def headlines(data) -> dict:
    return {headline.key: headline.value for headline in data.headlines}
