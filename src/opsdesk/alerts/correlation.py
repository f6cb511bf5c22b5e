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
from django.db.models import Max

from opsdesk.incidents.choices import UNRESOLVED_STATUSES, Status
from opsdesk.incidents.models import Incident

from . import mapping, store, tickets
from .choices import AlertStatus
from .formats import FIRING, IncomingAlert
from .mapping import Routing
from .models import Alert
from .store import Current


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
    batch = Batch(source, now)
    batch.outcome.alerts = len(alerts)
    if not alerts:
        return batch.outcome
    _lock(source, [f"fp:{alert.fingerprint}" for alert in alerts])
    current = store.current_alerts(source.pk, [alert.fingerprint for alert in alerts])
    # Repeats on a row whose incident is still open need no routing: most
    # deliveries of a running alert are only that.
    unrouted = [alert for alert in alerts if _may_raise(alert, current.get(alert.fingerprint))]
    routings = dict(zip([alert.fingerprint for alert in unrouted],
                        mapping.route_all(source, unrouted), strict=True))
    _lock(source, [f"scope:{routing.scope}" for routing in routings.values()])
    for alert in alerts:
        row, routing = current.get(alert.fingerprint), routings.get(alert.fingerprint)
        if alert.status == FIRING:
            batch.firing(alert, routing, row)
        else:
            batch.resolved(alert, routing, row)
    batch.raise_incidents()
    batch.save()
    batch.finish_cleared()
    return batch.outcome


def _may_raise(alert: IncomingAlert, row: Current | None) -> bool:
    """Whether the alert may start a row or an incident, which takes its routing."""
    if row is None:
        return True
    return alert.status == FIRING and row.incident_status in (None, Status.CLOSED)


def _lock(source, names: list[str]) -> None:
    """Serialise deliveries that touch the same fingerprint or scope, so
    that two at once cannot both open an incident for one alert or both miss
    a storm. SQLite has a single writer already. Fingerprints are locked
    before scopes, each set in one sorted order, so two deliveries never
    wait on each other."""
    if connection.vendor != "postgresql" or not names:
        return
    keys = sorted({int.from_bytes(hashlib.sha256(f"alerts:{source.pk}:{name}".encode())
                                  .digest()[:8], "big", signed=True) for name in names})
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(k) FROM unnest(%s::bigint[]) AS k",
                       [keys])


class Batch:
    def __init__(self, source, now):
        self.source, self.now = source, now
        self.outcome = Outcome()
        self.new_rows: list[dict] = []
        # Changes to existing rows, as a few set-wise UPDATEs: which rows were
        # seen, retired, fired anew (by start), cleared (by end), suppressed.
        self.seen: set[int] = set()
        self.retired: set[int] = set()
        self.refired: set[int] = set()
        self.occurred: dict = defaultdict(set)
        self.ended: dict = defaultdict(set)
        self.suppressed: dict = defaultdict(set)
        self.waiting: dict[str, list[tuple[IncomingAlert, Routing, dict]]] = defaultdict(list)
        self.cleared: set[int] = set()
        self._windows = None

    @property
    def windows(self) -> list[store.Window]:
        if self._windows is None:
            self._windows = store.windows_open_at(self.now)
        return self._windows

    # ------------------------------------------------------------ per alert

    def firing(self, alert: IncomingAlert, routing: Routing | None, row: Current | None
               ) -> None:
        if row is not None:
            if row.incident_id is not None and row.incident_status != Status.CLOSED:
                self._repeat(row, alert)
                return
            window = mapping.window_for(self.windows, routing)
            if row.incident_id is None and row.suppressed_by_id is not None \
                    and window is not None:
                self.suppressed[window.id].add(row.id)
                self._repeat(row, alert)
                return
            if row.incident_id is not None and self._flapping(row):
                self.outcome.flapping += 1
                self._repeat(row, alert)
                return
            self.retired.add(row.id)
        self._new_firing(alert, routing)

    def _flapping(self, row: Current) -> bool:
        window = timedelta(seconds=self.source.flap_window_seconds)
        return row.status == AlertStatus.RESOLVED and row.incident_closed_at is not None \
            and self.now - row.incident_closed_at <= window

    def _repeat(self, row: Current, alert: IncomingAlert) -> None:
        """Seen again: a new occurrence if it fires anew (after clearing, or
        with another start). Labels and annotations stay as first seen."""
        self.seen.add(row.id)
        refired = row.status == AlertStatus.RESOLVED
        if refired:
            self.refired.add(row.id)
        if refired or alert.starts_at != row.starts_at:
            self.occurred[alert.starts_at].add(row.id)
            self.outcome.repeats += 1

    def _new_firing(self, alert: IncomingAlert, routing: Routing) -> None:
        self.outcome.new += 1
        row = self._new_row(alert, routing)
        window = mapping.window_for(self.windows, routing)
        if window is not None:
            row["suppressed_by_id"] = window.id
            self.outcome.suppressed += 1
            return
        self.waiting[routing.scope].append((alert, routing, row))

    def _new_row(self, alert: IncomingAlert, routing: Routing) -> dict:
        row = {
            "source_id": self.source.pk, "fingerprint": alert.fingerprint,
            "name": alert.name[:200], "summary": alert.summary[:500], "host": alert.host[:200],
            "severity": alert.severity[:50], "scope": routing.scope, "status": alert.status,
            "labels": alert.labels, "annotations": alert.annotations, "url": alert.url,
            "starts_at": alert.starts_at, "ends_at": alert.ends_at,
            "first_seen_at": self.now, "last_seen_at": self.now,
        }
        self.new_rows.append(row)
        return row

    def resolved(self, alert: IncomingAlert, routing: Routing | None, row: Current | None
                 ) -> None:
        self.outcome.resolved += 1
        if row is None:
            self._new_row(alert, routing)
            return
        self.seen.add(row.id)
        if row.status == AlertStatus.FIRING:
            self.ended[alert.ends_at].add(row.id)
            if row.incident_status in UNRESOLVED_STATUSES:
                self.cleared.add(row.incident_id)

    # ------------------------------------------------------------ incidents

    def raise_incidents(self) -> None:
        if not self.waiting:
            return
        scopes = list(self.waiting)
        storms = store.open_storms(self.source.pk, scopes)
        since = self.now - timedelta(seconds=self.source.storm_window_seconds)
        calm = [scope for scope in scopes if scope not in storms]
        recent = store.recent_incident_alerts(self.source.pk, calm, since) if calm else {}
        for scope, waiting in self.waiting.items():
            storm = storms.get(scope)
            if storm is None and recent.get(scope, 0) + len(waiting) >= \
                    self.source.storm_threshold:
                storm = self._start_storm(scope, waiting, since).pk
            if storm is not None:
                for _alert, _routing, row in waiting:
                    row["incident_id"] = storm
                continue
            for alert, routing, row in waiting:
                row["incident_id"] = self._open([(alert, routing)], storm=False).pk

    def _open(self, alerts, *, storm: bool) -> Incident:
        incident = tickets.open_incident(self.source, alerts, storm=storm)
        self.outcome.opened.append(incident.number)
        return incident

    def _start_storm(self, scope: str, waiting, since) -> Incident:
        storm = self._open([(alert, routing) for alert, routing, _row in waiting], storm=True)
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
        # Retire rows before their successors arrive: one current row per fingerprint.
        store.update_alerts(self.retired, current=False)
        store.insert_alerts(self.new_rows)
        store.update_alerts(self.refired, increment=("flaps",))
        for starts_at, pks in self.occurred.items():
            store.update_alerts(pks, increment=("occurrences",), starts_at=starts_at,
                                status=AlertStatus.FIRING, ends_at=None,
                                last_seen_at=self.now)
        for ends_at, pks in self.ended.items():
            store.update_alerts(pks, status=AlertStatus.RESOLVED, ends_at=ends_at,
                                last_seen_at=self.now)
        only_seen = self.seen.difference(*self.occurred.values(), *self.ended.values())
        store.update_alerts(only_seen, last_seen_at=self.now)
        for window_id, pks in self.suppressed.items():
            store.update_alerts(pks, suppressed_by_id=window_id)

    def finish_cleared(self) -> None:
        for incident_id in store.incidents_all_clear(self.cleared):
            incident = Incident.objects.get(pk=incident_id)
            recovered = incident.alerts.aggregate(at=Max("ends_at"))["at"] or self.now
            if tickets.finish(self.source, incident, recovered):
                self.outcome.closed.append(incident.number)
