"""Correlation (issue 4, item 8): what a batch of alerts from one delivery
does to the alert records and their incidents. Runs inside the delivery's
transaction.

- A fingerprint has one current alert row. While that row's incident is not
  closed, a repeat is an occurrence on it (a new start, or firing again after
  it resolved), never a new ticket.
- A new alert opens an incident, unless a maintenance window covers its CI or
  service (recorded, no ticket) or it belongs to a storm: when the alerts of
  one scope (its CI, else its alert group) that raised incidents within the
  storm window reach the threshold, they become one storm incident. Earlier
  single-alert incidents of the scope join it as duplicates (unless a person
  has them), and later alerts of the scope join it while it is unresolved.
- Resolved alerts are recorded; when the last firing alert of an incident
  clears, tickets.finish resolves and closes it.
- Flapping: a closed incident is never reopened. An alert that fires again
  within the flap window after its incident was closed is counted on its old
  row (occurrences and flaps) and opens nothing; later, it starts a new row
  and a new incident.
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection
from django.db.models import Count, F, Max

from opsdesk.incidents.choices import UNRESOLVED_STATUSES, Status
from opsdesk.incidents.models import Incident

from . import mapping, tickets
from .choices import AlertStatus
from .formats import FIRING, IncomingAlert
from .mapping import Routing
from .models import Alert, AlertIncident

# What correlation reads of an alert's current row and its incident.
CORRELATED_FIELDS = ("id", "fingerprint", "status", "starts_at", "suppressed_by", "incident",
                     "incident__id", "incident__status", "incident__closed_at")


@dataclass
class Outcome:
    alerts: int = 0
    new: int = 0
    repeats: int = 0
    resolved: int = 0
    suppressed: int = 0
    flapping: int = 0
    opened: list = field(default_factory=list)
    closed: list = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"alerts": self.alerts, "new": self.new, "repeats": self.repeats,
                "resolved": self.resolved, "suppressed": self.suppressed,
                "flapping": self.flapping, "incidents_opened": self.opened,
                "incidents_closed": self.closed}


def correlate(source, alerts: list[IncomingAlert], *, now) -> Outcome:
    # The last word on a fingerprint within one delivery wins.
    alerts = list({alert.fingerprint: alert for alert in alerts}.values())
    routings = mapping.route_all(source, alerts)
    _lock(source, alerts, routings)
    batch = Batch(source, now)
    batch.outcome.alerts = len(alerts)
    current = {row.fingerprint: row for row in Alert.objects.filter(
        source=source, current=True, fingerprint__in=[a.fingerprint for a in alerts],
    ).select_related("incident").only(*CORRELATED_FIELDS)}
    for alert, routing in zip(alerts, routings, strict=True):
        row = current.get(alert.fingerprint)
        if alert.status == FIRING:
            batch.firing(alert, routing, row)
        else:
            batch.resolved(alert, routing, row)
    batch.raise_incidents()
    batch.save()
    batch.finish_cleared()
    return batch.outcome


def _lock(source, alerts: list[IncomingAlert], routings: list[Routing]) -> None:
    """Serialise deliveries that touch the same fingerprint or scope, so
    that two at once cannot both open an incident for one alert or both miss
    a storm. SQLite has a single writer already."""
    if connection.vendor != "postgresql":
        return
    names = {f"fp:{alert.fingerprint}" for alert in alerts}
    names |= {f"scope:{routing.scope}" for routing in routings}
    # Taken in one order by everyone, so two deliveries never wait on each other.
    keys = sorted(int.from_bytes(hashlib.sha256(f"alerts:{source.pk}:{name}".encode())
                                 .digest()[:8], "big", signed=True) for name in names)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(k) FROM unnest(%s::bigint[]) AS k",
                       [keys])


class Batch:
    def __init__(self, source, now):
        self.source, self.now = source, now
        self.outcome = Outcome()
        self.new_rows: list[Alert] = []
        # Changes to existing rows, as a few set-wise UPDATEs: which rows were
        # seen, retired, fired anew (by start), cleared (by end), suppressed.
        self.seen: set[int] = set()
        self.retired: set[int] = set()
        self.refired: set[int] = set()
        self.occurred: dict = defaultdict(set)
        self.ended: dict = defaultdict(set)
        self.suppressed: dict = defaultdict(set)
        self.waiting: dict[str, list[tuple[IncomingAlert, Routing, Alert]]] = defaultdict(list)
        self.cleared: set[int] = set()
        self._windows = None

    @property
    def windows(self):
        if self._windows is None:
            self._windows = mapping.windows_open_at(self.now)
        return self._windows

    # ------------------------------------------------------------ per alert

    def firing(self, alert: IncomingAlert, routing: Routing, row: Alert | None) -> None:
        if row is not None:
            incident = row.incident
            if incident is not None and incident.status != Status.CLOSED:
                self._repeat(row, alert)
                return
            window = mapping.window_for(self.windows, routing)
            if incident is None and row.suppressed_by_id is not None and window is not None:
                self.suppressed[window.pk].add(row.pk)
                self._repeat(row, alert)
                return
            if incident is not None and self._flapping(row, incident):
                self.outcome.flapping += 1
                self._repeat(row, alert)
                return
            self.retired.add(row.pk)
        self._new_firing(alert, routing)

    def _flapping(self, row: Alert, incident: Incident) -> bool:
        window = timedelta(seconds=self.source.flap_window_seconds)
        return row.status == AlertStatus.RESOLVED and incident.closed_at is not None \
            and self.now - incident.closed_at <= window

    def _repeat(self, row: Alert, alert: IncomingAlert) -> None:
        """Seen again: a new occurrence if it fires anew (after clearing, or
        with another start). Labels and annotations stay as first seen."""
        self.seen.add(row.pk)
        refired = row.status == AlertStatus.RESOLVED
        if refired:
            self.refired.add(row.pk)
        if refired or alert.starts_at != row.starts_at:
            self.occurred[alert.starts_at].add(row.pk)
            self.outcome.repeats += 1

    def _new_firing(self, alert: IncomingAlert, routing: Routing) -> None:
        self.outcome.new += 1
        row = self._new_row(alert, routing)
        window = mapping.window_for(self.windows, routing)
        if window is not None:
            row.suppressed_by = window
            self.outcome.suppressed += 1
            return
        self.waiting[routing.scope].append((alert, routing, row))

    def _new_row(self, alert: IncomingAlert, routing: Routing) -> Alert:
        row = Alert(
            source=self.source, fingerprint=alert.fingerprint, name=alert.name[:200],
            summary=alert.summary[:500], host=alert.host[:200], severity=alert.severity[:50],
            scope=routing.scope, status=alert.status, labels=alert.labels,
            annotations=alert.annotations, url=alert.url, starts_at=alert.starts_at,
            ends_at=alert.ends_at, first_seen_at=self.now, last_seen_at=self.now,
        )
        self.new_rows.append(row)
        return row

    def resolved(self, alert: IncomingAlert, routing: Routing, row: Alert | None) -> None:
        self.outcome.resolved += 1
        if row is None:
            self._new_row(alert, routing)
            return
        self.seen.add(row.pk)
        if row.status == AlertStatus.FIRING:
            self.ended[alert.ends_at].add(row.pk)
            if row.incident is not None and row.incident.status in UNRESOLVED_STATUSES:
                self.cleared.add(row.incident_id)

    # ------------------------------------------------------------ incidents

    def raise_incidents(self) -> None:
        if not self.waiting:
            return
        scopes = list(self.waiting)
        storms = {grouping.scope: grouping.incident for grouping in AlertIncident.objects.filter(
            source=self.source, scope__in=scopes, storm=True,
            incident__status__in=UNRESOLVED_STATUSES,
        ).select_related("incident").order_by("id")}
        since = self.now - timedelta(seconds=self.source.storm_window_seconds)
        recent = dict(Alert.objects.filter(
            source=self.source, scope__in=[s for s in scopes if s not in storms],
            first_seen_at__gte=since, incident__isnull=False,
        ).values_list("scope").annotate(n=Count("id")).order_by())
        for scope, waiting in self.waiting.items():
            storm = storms.get(scope)
            if storm is None and recent.get(scope, 0) + len(waiting) >= \
                    self.source.storm_threshold:
                storm = self._start_storm(scope, waiting, since)
            if storm is not None:
                for _alert, _routing, row in waiting:
                    row.incident = storm
                continue
            for alert, routing, row in waiting:
                row.incident = self._open(scope, [(alert, routing)], storm=False)

    def _open(self, scope, alerts, *, storm: bool) -> Incident:
        incident = tickets.open_incident(self.source, alerts, storm=storm)
        self.outcome.opened.append(incident.number)
        return incident

    def _start_storm(self, scope: str, waiting, since) -> Incident:
        storm = self._open(scope, [(alert, routing) for alert, routing, _row in waiting],
                           storm=True)
        earlier = list(Incident.objects.filter(
            alert_origin__source=self.source, alert_origin__scope=scope,
            alert_origin__storm=False, alert_origin__opened_at__gte=since,
            status__in=UNRESOLVED_STATUSES, duplicate_of=None,
        ).order_by("id"))
        linked = {incident.pk for incident in
                  tickets.fold_into_storm(self.source, storm, earlier)}
        if linked:
            Alert.objects.filter(incident__in=linked).update(incident=storm)
        return storm

    # ----------------------------------------------------------------- save

    def save(self) -> None:
        rows = Alert.objects.filter
        # Retire rows before their successors arrive: one current row per fingerprint.
        if self.retired:
            rows(pk__in=self.retired).update(current=False)
        if self.new_rows:
            Alert.objects.bulk_create(self.new_rows)
        if self.refired:
            rows(pk__in=self.refired).update(flaps=F("flaps") + 1)
        for starts_at, pks in self.occurred.items():
            rows(pk__in=pks).update(occurrences=F("occurrences") + 1, starts_at=starts_at,
                                    status=AlertStatus.FIRING, ends_at=None,
                                    last_seen_at=self.now)
        for ends_at, pks in self.ended.items():
            rows(pk__in=pks).update(status=AlertStatus.RESOLVED, ends_at=ends_at,
                                    last_seen_at=self.now)
        only_seen = self.seen.difference(*self.occurred.values(), *self.ended.values())
        if only_seen:
            rows(pk__in=only_seen).update(last_seen_at=self.now)
        for window_pk, pks in self.suppressed.items():
            rows(pk__in=pks).update(suppressed_by=window_pk)

    def finish_cleared(self) -> None:
        for incident in Incident.objects.select_for_update().filter(
                pk__in=self.cleared, status__in=UNRESOLVED_STATUSES).order_by("id"):
            still_firing = incident.alerts.filter(status=AlertStatus.FIRING).exists()
            if still_firing:
                continue
            recovered = incident.alerts.aggregate(at=Max("ends_at"))["at"] or self.now
            if tickets.finish(self.source, incident, recovered):
                self.outcome.closed.append(incident.number)
