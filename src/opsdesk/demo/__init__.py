"""The demo organisation and its incident history (`opsdesk demo`).

Loading is idempotent: a Counter row marks a finished load, so a second run
changes nothing. Incidents are created only through incidents.actions, so
every demo ticket has a real timeline.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opsdesk.core import clock
from opsdesk.core.models import Counter, User
from opsdesk.incidents.models import Incident

from .articles import write_articles
from .changes import plant_changes
from .organisation import DEMO_PASSWORD, PEOPLE, build_organisation
from .plans import write_plans
from .recurring import plant_recurring_fault
from .stories import Planner, replay

MARKER = "demo:loaded"
LOADING, LOADED = 0, 1


class DemoInterrupted(Exception):
    pass


@dataclass(frozen=True)
class DemoResult:
    loaded: bool  # False: it was there already
    incidents: int
    logins: list[User]
    password: str = DEMO_PASSWORD


def load_demo() -> DemoResult:
    marker = Counter.objects.filter(key=MARKER).first()
    if marker is not None and marker.value == LOADING:
        raise DemoInterrupted(_(
            "An earlier demo load was interrupted. Load the demo into an empty database "
            "(for the default SQLite database: delete var/opsdesk.sqlite3)."
        ))
    if marker is None:
        now = clock.now()
        with transaction.atomic():
            Counter.objects.create(key=MARKER, value=LOADING)
            organisation = build_organisation(timezone.localdate(now))
        replay(Planner(organisation, now).stories())
        plant_recurring_fault(organisation, now)
        plant_changes(organisation, now)
        write_articles()
        write_plans()
        Counter.objects.filter(key=MARKER).update(value=LOADED)
    return DemoResult(
        loaded=marker is None,
        incidents=Incident.objects.count(),
        logins=_logins(),
    )


def _logins() -> list[User]:
    people = {person.username: person for person in PEOPLE if person.can_log_in}
    users = User.objects.filter(username__in=people).select_related("team", "customer")
    order = list(people)
    return sorted(users, key=lambda user: order.index(user.username))
