"""Reading changes. Changes are internal records: staff see them, requesters never."""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from opsdesk.core import clock
from opsdesk.core.errors import Forbidden, NotFound

from . import rules
from .choices import OPEN_STATES, State
from .models import Change

QUEUES = ("mine", "my_votes", "to_assess", "scheduled", "unrecorded", "open", "all")
RELATED = ("requested_by", "owner", "implementer_team", "template", "customer", "problem")


def visible_changes(user) -> QuerySet:
    if not user.is_authenticated or not user.is_active or not rules.may_see(user):
        return Change.objects.none()
    return Change.objects.all()


def get_change_for(user, number: str) -> Change:
    """The one gate for loading a change a user named."""
    if not user.is_authenticated or not rules.may_see(user):
        raise Forbidden()
    change = Change.objects.select_related(*RELATED).filter(number=number).first()
    if change is None:
        raise NotFound(_("Change %(number)s does not exist.") % {"number": number})
    return change


def unrecorded_emergencies() -> QuerySet:
    """Emergency changes carried out first and not recorded in time (CHG-04)."""
    return Change.objects.filter(recorded_at__isnull=True, record_due_at__lte=clock.now())


def queue(user, name: str) -> QuerySet:
    changes = visible_changes(user).select_related(*RELATED)
    if name == "mine":
        return changes.filter(Q(requested_by=user) | Q(owner=user), state__in=OPEN_STATES)
    if name == "my_votes":
        return changes.filter(state=State.ASSESSED, approvals__approver=user,
                              approvals__vote="")
    if name == "to_assess":
        return changes.filter(state=State.SUBMITTED)
    if name == "scheduled":
        return changes.filter(state__in=(State.APPROVED, State.SCHEDULED, State.IMPLEMENTING))
    if name == "unrecorded":
        return changes.filter(pk__in=unrecorded_emergencies().values("pk"))
    if name == "open":
        return changes.filter(state__in=OPEN_STATES)
    return changes
