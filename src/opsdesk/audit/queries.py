"""The timeline events of a period, as the export and the API read them."""

from datetime import date, datetime, time, timedelta

from django.db.models import OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from opsdesk.core.errors import Invalid
from opsdesk.core.models import TimelineEvent

from .subjects import subject_models


def period(start: str | date | None, end: str | date | None) -> tuple[datetime, datetime]:
    """From the start of day `start` to the end of day `end` (inclusive), in
    the configured time zone. Dates as YYYY-MM-DD."""
    first, last = _day(start, "from"), _day(end, "to")
    if last < first:
        raise Invalid(fields={"to": _("The end of the period is before its start.")})
    return _midnight(first), _midnight(last + timedelta(days=1))


def _day(value, name: str) -> date:
    if isinstance(value, date):
        return value
    if not value:
        raise Invalid(fields={name: _("This field is required.")})
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid(fields={name: _("Give a date as YYYY-MM-DD.")}) from None


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def check_type(subject_type: str | None) -> str | None:
    if subject_type and subject_type not in subject_models():
        raise Invalid(fields={"type": _("Choose one of: %(options)s.") % {
            "options": ", ".join(sorted(subject_models()))}})
    return subject_type or None


def events_between(start: datetime, end: datetime, subject_type: str | None = None,
                   subject_id: int | None = None) -> QuerySet:
    """The events written in [start, end), oldest first, each with the hash
    it chains to (`previous_hash`), so that each row can be checked alone."""
    events = TimelineEvent.objects.filter(at__gte=start, at__lt=end)
    if subject_type:
        events = events.filter(subject_type=subject_type)
    if subject_id is not None:
        events = events.filter(subject_id=subject_id)
    previous = TimelineEvent.objects.filter(
        subject_type=OuterRef("subject_type"), subject_id=OuterRef("subject_id"),
        seq=OuterRef("seq") - 1).values("hash")
    return (events.annotate(previous_hash=Coalesce(Subquery(previous), Value("")))
            .select_related("actor").order_by("id"))
