"""The append-only audit trail shared by every record type."""

from . import clock
from .models import TimelineEvent


def record(
    subject, *, actor, source: str, kind: str, changes: dict | None = None, note: str = "",
    public: bool = False,
) -> TimelineEvent:
    """Append one event about `subject` (a model instance with TIMELINE_TYPE)."""
    return TimelineEvent.objects.create(
        subject_type=subject.TIMELINE_TYPE,
        subject_id=subject.pk,
        at=clock.now(),
        actor=actor,
        source=source,
        kind=kind,
        changes=changes or {},
        note=note,
        public=public,
    )


def events_of(subject, *, public_only: bool = False):
    events = TimelineEvent.objects.filter(
        subject_type=subject.TIMELINE_TYPE, subject_id=subject.pk
    ).select_related("actor")
    if public_only:
        events = events.filter(public=True)
    return events.order_by("id")
