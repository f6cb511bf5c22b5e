"""Reading major incidents and plans: internal records, for staff only."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from opsdesk.core.errors import Forbidden, NotFound

from .choices import Status
from .models import ContingencyPlan, MajorIncident

PAGE = 100


def _staff(user) -> bool:
    return user.is_authenticated and user.is_active and not user.is_requester


def get_major_for(user, number: str) -> MajorIncident:
    """The one gate for loading a major incident a user named."""
    if not _staff(user):
        raise Forbidden()
    major = MajorIncident.objects.select_related(
        "incident__customer", "incident__ci", "declared_by", "lifted_by", "problem").filter(
        number=number).first()
    if major is None:
        raise NotFound(_("Major incident %(number)s does not exist.") % {"number": number})
    return major


def get_plan_for(user, pk) -> ContingencyPlan:
    if not _staff(user):
        raise Forbidden()
    plan = ContingencyPlan.objects.filter(pk=pk).first() if str(pk).isdigit() else None
    if plan is None:
        raise NotFound(_("This contingency plan does not exist."))
    return plan


def listing(user, status: str) -> QuerySet:
    if not _staff(user):
        return MajorIncident.objects.none()
    return (MajorIncident.objects.filter(status=status)
            .select_related("incident__customer", "declared_by")
            .order_by("-declared_at", "-id")[:PAGE])


def active(user) -> QuerySet:
    return listing(user, Status.ACTIVE)


def past(user) -> QuerySet:
    return listing(user, Status.LIFTED)
