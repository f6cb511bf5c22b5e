"""Change calendar conflicts (CHG-05).

Two changes conflict when their windows overlap and they touch the same
configuration item, or one touches an item the other's items depend on or
support (cmdb.impact, either direction), or they name the same service. A
change conflicts with a blackout window it overlaps that covers everything,
or covers one of the items or services the change reaches. Windows are
half-open: one ending at 02:00 and one starting at 02:00 do not overlap.

`detect` is the rule on plain values; `conflicts_for` gathers them from the
database for one change.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from opsdesk.cmdb import impact
from opsdesk.core.models import ConfigurationItem, Service

from .choices import PLANNED_STATES
from .models import BlackoutWindow, Change

CHANGE, BLACKOUT = "change", "blackout"


@dataclass(frozen=True)
class Footprint:
    """What a change (or a blackout's scope) covers, and when."""

    start: datetime
    end: datetime
    cis: frozenset = frozenset()
    services: frozenset = frozenset()


@dataclass(frozen=True)
class Conflict:
    kind: str  # CHANGE or BLACKOUT
    other: object  # the Change or BlackoutWindow
    shared_cis: frozenset = field(default_factory=frozenset)
    shared_services: frozenset = field(default_factory=frozenset)
    names: tuple = ()  # the shared items' and services' names, for people

    @property
    def message(self) -> str:
        values = {"start": _local(self.other_start), "end": _local(self.other_end)}
        if self.kind == BLACKOUT:
            return _("Falls in the blackout window “%(name)s” (%(start)s – %(end)s).") % {
                **values, "name": self.other.name}
        return _("Overlaps %(number)s “%(title)s” (%(start)s – %(end)s) on %(items)s.") % {
            **values, "number": self.other.number, "title": self.other.title,
            "items": ", ".join(self.names) or "—"}

    @property
    def other_start(self):
        return self.other.start if self.kind == BLACKOUT else self.other.planned_start

    @property
    def other_end(self):
        return self.other.end if self.kind == BLACKOUT else self.other.planned_end


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def overlaps(a: Footprint, b: Footprint) -> bool:
    return a.start < b.end and b.start < a.end


def detect(subject: Footprint, reach: frozenset, reach_services: frozenset,
           changes: list[tuple[object, Footprint]],
           blackouts: list[tuple[object, Footprint]]) -> list[Conflict]:
    """The conflicts of a change covering `subject`, whose items reach
    `reach` (themselves, their dependants and what supports them) and the
    services `reach_services`, with other changes and blackout windows."""
    found = []
    for other, footprint in changes:
        if not overlaps(subject, footprint):
            continue
        cis, services = footprint.cis & reach, footprint.services & subject.services
        if cis or services:
            found.append(Conflict(CHANGE, other, cis, services))
    for blackout, scope in blackouts:
        if not overlaps(subject, scope):
            continue
        cis, services = scope.cis & reach, scope.services & reach_services
        if not (scope.cis or scope.services) or cis or services:
            found.append(Conflict(BLACKOUT, blackout, cis, services))
    return found


def footprint_of(change: Change) -> Footprint | None:
    if change.planned_start is None or change.planned_end is None:
        return None
    return Footprint(change.planned_start, change.planned_end,
                     frozenset(ci.pk for ci in change.cis.all()),
                     frozenset(service.pk for service in change.services.all()))


def reach_of(ci_ids, service_ids) -> tuple[frozenset, frozenset]:
    """The items a change on `ci_ids` and `service_ids` reaches through the
    CMDB graph, and the services among them (with those named)."""
    touched = set(ci_ids) | set(Service.objects.filter(pk__in=service_ids, ci__isnull=False)
                                .values_list("ci_id", flat=True))
    reach = set(touched)
    for ci_id in touched:
        reach.update(impact.dependant_ids(ci_id))
        reach.update(impact.supporting_ids(ci_id))
    services = set(service_ids) | set(Service.objects.filter(ci_id__in=reach)
                                      .values_list("pk", flat=True))
    return frozenset(reach), frozenset(services)


def _candidates(subject: Footprint, exclude_pk):
    return (Change.objects.filter(state__in=PLANNED_STATES, planned_start__lt=subject.end,
                                  planned_end__gt=subject.start)
            .exclude(pk=exclude_pk).prefetch_related("cis", "services")
            .order_by("planned_start", "id"))


def _blackouts(subject: Footprint):
    return (BlackoutWindow.objects.filter(start__lt=subject.end, end__gt=subject.start)
            .prefetch_related("cis", "services").order_by("start", "id"))


def conflicts_for(change: Change, footprint: Footprint | None = None) -> list[Conflict]:
    """`change`'s conflicts now (or if it had `footprint`); none without a window."""
    footprint = footprint or footprint_of(change)
    if footprint is None:
        return []
    reach, reach_services = reach_of(footprint.cis, footprint.services)
    others = [(other, footprint_of(other)) for other in _candidates(footprint, change.pk)]
    blackouts = [(blackout, Footprint(blackout.start, blackout.end,
                                      frozenset(ci.pk for ci in blackout.cis.all()),
                                      frozenset(s.pk for s in blackout.services.all())))
                 for blackout in _blackouts(footprint)]
    found = detect(footprint, reach, reach_services, others, blackouts)
    return [_named(conflict) for conflict in found]


def _named(conflict: Conflict) -> Conflict:
    names = [*ConfigurationItem.objects.filter(pk__in=conflict.shared_cis)
             .order_by("name").values_list("name", flat=True),
             *Service.objects.filter(pk__in=conflict.shared_services)
             .order_by("name").values_list("name", flat=True)]
    return Conflict(conflict.kind, conflict.other, conflict.shared_cis,
                    conflict.shared_services, tuple(names))


def changes_between(start: datetime, end: datetime):
    """The changes whose window meets [start, end), for the calendar."""
    return (Change.objects.filter(planned_start__lt=end, planned_end__gt=start)
            .filter(Q(state__in=PLANNED_STATES) | Q(finished_at__isnull=False))
            .select_related("implementer_team").order_by("planned_start", "id"))


def blackouts_between(start: datetime, end: datetime):
    return BlackoutWindow.objects.filter(start__lt=end, end__gt=start).order_by("start", "id")
