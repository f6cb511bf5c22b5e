"""The append-only audit trail shared by every record type."""

from . import clock
from .models import TimelineEvent


def record(
    subject, *, actor, source: str, kind: str, changes: dict | None = None, note: str = "",
    public: bool = False,
) -> TimelineEvent:
    """Append one event about `subject` (a model instance with TIMELINE_TYPE)."""
    event = entry(subject, actor=actor, source=source, kind=kind, changes=changes, note=note,
                  public=public)
    event.save()
    return event


def entry(
    subject, *, actor, source: str, kind: str, changes: dict | None = None, note: str = "",
    public: bool = False,
) -> TimelineEvent:
    """The event `record` would append, unsaved: for `record_many`."""
    return TimelineEvent(
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


def record_many(events: list[TimelineEvent]) -> list[TimelineEvent]:
    """Append events made with `entry`, in their order, with one INSERT."""
    return TimelineEvent.objects.bulk_create(events)


def events_of(subject, *, public_only: bool = False):
    events = TimelineEvent.objects.filter(
        subject_type=subject.TIMELINE_TYPE, subject_id=subject.pk
    ).select_related("actor")
    if public_only:
        events = events.filter(public=True)
    return events.order_by("id")
