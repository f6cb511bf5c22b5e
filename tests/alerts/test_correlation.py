"""Correlation (issue 4, item 8): one incident per alert, occurrences for
repeats, storms, recovery, take-over, flapping, through the real webhook."""

from datetime import timedelta

from opsdesk.alerts.models import Alert, AlertIncident
from opsdesk.core import timeline
from opsdesk.incidents import actions
from opsdesk.incidents.models import Incident

from ..incidents.helpers import act, fresh
from .conftest import am_alert, am_group, only_incident, resolved, state


def test_a_new_alert_opens_a_monitoring_incident_dispatched_to_the_team(prometheus, cast):
    body = prometheus.deliver(am_group(am_alert("NodeDown")))
    incident = only_incident()
    assert body["incidents_opened"] == [incident.number]
    assert (body["alerts"], body["new"], body["duplicate"]) == (1, 1, False)
    assert (incident.kind, incident.channel) == ("alert", "monitoring")
    assert incident.title == "NodeDown on vm-web-01:9100"
    assert (incident.ci, incident.service, incident.category) == (
        cast.ci, cast.service, cast.category)
    assert (incident.team, incident.status, incident.assignee) == (cast.l2, "assigned", None)
    assert incident.created_by == prometheus.source.service_user
    assert incident.customer == cast.customer  # the CI's customer
    assert incident.occurred_at.isoformat() == "2026-11-23T01:50:00+00:00"
    assert [e.kind for e in timeline.events_of(incident)] == ["logged", "assigned"]
    assert {e.source for e in timeline.events_of(incident)} == {"monitoring"}
    alert = Alert.objects.get()
    assert (alert.incident, alert.status, alert.occurrences) == (incident, "firing", 1)
    assert (alert.host, alert.severity, alert.scope) == ("vm-web-01", "critical",
                                                         f"ci:{cast.ci.pk}")


def test_the_service_user_cannot_sign_in(prometheus, client):
    user = prometheus.source.service_user
    assert not user.has_usable_password()
    assert not client.login(username=user.username, password="")


def test_a_repeat_with_a_new_start_counts_an_occurrence_not_a_ticket(prometheus, frozen):
    prometheus.deliver(am_group(am_alert("NodeDown")))
    frozen.shift(timedelta(minutes=5))
    body = prometheus.deliver(am_group(am_alert("NodeDown", starts="2026-11-23T02:03:00Z")))
    assert (body["repeats"], body["incidents_opened"]) == (1, [])
    alert = Alert.objects.get()
    assert alert.occurrences == 2
    assert alert.last_seen_at.isoformat() == "2026-11-23T02:05:00+00:00"
    assert alert.first_seen_at.isoformat() == "2026-11-23T02:00:00+00:00"
    assert Incident.objects.count() == 1


def test_an_alert_seen_again_unchanged_in_a_grown_group_is_the_same_occurrence(prometheus,
                                                                             frozen):
    prometheus.deliver(am_group(am_alert("NodeDown")))
    frozen.shift(timedelta(minutes=1))
    prometheus.deliver(am_group(am_alert("NodeDown"), am_alert("NodeDown", "vm-db-02:9100")))
    first = Alert.objects.get(fingerprint="NodeDown-vm-web-01:9100")
    assert first.occurrences == 1
    assert first.last_seen_at.isoformat() == "2026-11-23T02:01:00+00:00"


def test_the_same_delivery_twice_changes_nothing_the_second_time(prometheus, frozen):
    group = am_group(am_alert("NodeDown"), am_alert("DiskFull"))
    first = prometheus.deliver(group)
    before = state()
    frozen.shift(timedelta(minutes=2))
    # Same JSON with its keys in another order is the same delivery.
    again = prometheus.deliver(dict(reversed(list(group.items()))))
    assert again == {**first, "duplicate": True}
    assert state() == before


def test_all_alerts_cleared_resolve_and_close_the_incident_with_the_recovery_time(
        make_source, frozen):
    prometheus = make_source(storm_threshold=2)
    group = am_group(am_alert("NodeDown"), am_alert("DiskFull"))
    prometheus.deliver(group)
    frozen.shift(timedelta(minutes=10))
    half = resolved(group, ends="2026-11-23T02:04:00Z")
    half["alerts"] = half["alerts"][:1]
    assert prometheus.deliver(half)["incidents_closed"] == []
    assert only_incident().status == "assigned"
    rest = resolved(group, ends="2026-11-23T02:06:30Z")
    rest["alerts"] = rest["alerts"][1:]
    body = prometheus.deliver(rest)
    incident = only_incident()
    assert body["incidents_closed"] == [incident.number]
    assert (incident.status, incident.closure_code) == ("closed", "successful")
    assert incident.business_recovered_at.isoformat() == "2026-11-23T02:06:30+00:00"
    assert incident.resolved_by == prometheus.source.service_user
    assert incident.closed_at.isoformat() == "2026-11-23T02:10:00+00:00"
    assert "2" in incident.solution
    assert [e.kind for e in timeline.events_of(incident)][-2:] == ["resolved", "closed"]
    assert set(Alert.objects.values_list("status", flat=True)) == {"resolved"}


def test_an_incident_a_person_accepted_is_not_closed_by_monitoring(prometheus, cast,
                                                                   settings):
    settings.LANGUAGE_CODE = "en"
    group = am_group(am_alert("NodeDown"))
    prometheus.deliver(group)
    act(actions.accept, only_incident(), cast.engineer_chen)
    body = prometheus.deliver(resolved(group))
    incident = only_incident()
    assert (body["incidents_closed"], incident.status) == ([], "in_progress")
    last = list(timeline.events_of(incident))[-1]
    assert (last.kind, last.actor, last.public) == ("comment", prometheus.source.service_user,
                                                    False)
    assert "Someone has taken this incident over" in last.note
    assert Alert.objects.get().status == "resolved"


def test_any_human_action_counts_as_taking_over_but_an_escalation_does_not(prometheus, cast):
    group = am_group(am_alert("NodeDown"))
    prometheus.deliver(group)
    incident = only_incident()
    actions.escalate(incident, now=incident.registered_at + timedelta(days=1))
    actions.comment(incident, actor=cast.agent_li, source="web", body="已电话通知机房",
                    public=False)
    prometheus.deliver(resolved(group))
    assert only_incident().status == "assigned"


def test_an_escalation_alone_does_not_stop_the_automatic_close(prometheus):
    group = am_group(am_alert("NodeDown"))
    prometheus.deliver(group)
    incident = only_incident()
    actions.escalate(incident, now=incident.registered_at + timedelta(days=1))
    prometheus.deliver(resolved(group))
    assert only_incident().status == "closed"


def test_without_a_ci_the_incident_says_why_it_stays_open(prometheus, settings):
    settings.LANGUAGE_CODE = "en"
    group = am_group(am_alert("NodeDown", "unknown-host:9100"))
    prometheus.deliver(group)
    prometheus.deliver(resolved(group))
    incident = only_incident()
    assert (incident.ci, incident.status) == (None, "assigned")
    note = list(timeline.events_of(incident))[-1].note
    assert "cannot be closed automatically: it needs a category and a configuration item" \
        in note


def test_a_resolved_alert_never_seen_firing_is_recorded_without_a_ticket(prometheus):
    body = prometheus.deliver(am_group(am_alert("NodeDown", status="resolved")))
    assert (body["resolved"], body["incidents_opened"]) == (1, [])
    alert = Alert.objects.get()
    assert (alert.status, alert.incident) == ("resolved", None)
    assert alert.ends_at.isoformat() == "2026-11-23T01:59:00+00:00"


def storm_of(count, instance="vm-web-01:9100", first=0):
    return am_group(*[am_alert(f"Check{i}", instance) for i in range(first, first + count)],
                    key=f'{{}}:{{instance="{instance}"}}')


def test_a_storm_on_one_ci_becomes_one_incident_listing_its_alerts(prometheus, frozen,
                                                                   settings):
    settings.LANGUAGE_CODE = "en"
    body = prometheus.deliver(storm_of(6))
    incident = only_incident()
    assert body["incidents_opened"] == [incident.number]
    assert incident.title == "Alert storm: 6 alerts on vm-web-01"
    assert incident.alerts.count() == 6
    assert AlertIncident.objects.get().storm
    assert "Check5" in incident.description
    frozen.shift(timedelta(minutes=30))
    prometheus.deliver(storm_of(3, first=6))
    assert incident.alerts.count() == 9
    assert Incident.objects.count() == 1


def test_storm_impact_and_urgency_are_the_worst_of_its_alerts(make_source, cast):
    monitoring = make_source(storm_threshold=2)
    monitoring.source.rules.create(label="severity", value="critical", impact="high",
                                   urgency="critical")
    group = am_group(am_alert("A", severity="warning"), am_alert("B", severity="critical"))
    monitoring.deliver(group)
    incident = only_incident()
    assert (incident.impact, incident.urgency, incident.priority) == ("high", "critical", 1)


def test_below_the_threshold_each_alert_has_its_own_incident(make_source):
    monitoring = make_source(storm_threshold=3)
    monitoring.deliver(storm_of(2))
    assert Incident.objects.count() == 2


def test_when_a_storm_starts_earlier_incidents_of_its_ci_become_its_duplicates(
        make_source, cast, frozen):
    monitoring = make_source(storm_threshold=3)
    monitoring.deliver(storm_of(1))
    frozen.shift(timedelta(minutes=1))
    monitoring.deliver(storm_of(1, first=1))
    taken, free = Incident.objects.order_by("id")
    act(actions.accept, fresh(taken), cast.engineer_chen)
    frozen.shift(timedelta(minutes=1))
    body = monitoring.deliver(storm_of(1, first=2))
    storm = Incident.objects.get(number=body["incidents_opened"][0])
    assert fresh(free).duplicate_of == storm
    assert fresh(taken).duplicate_of is None
    assert sorted(storm.alerts.values_list("name", flat=True)) == ["Check1", "Check2"]
    assert list(fresh(taken).alerts.values_list("name", flat=True)) == ["Check0"]
    # Clearing the storm's alerts closes it and its duplicate; the taken one stays.
    frozen.shift(timedelta(minutes=5))
    monitoring.deliver(resolved(storm_of(3)))
    assert (fresh(storm).status, fresh(free).status) == ("closed", "closed")
    assert fresh(taken).status == "in_progress"


def test_old_alerts_outside_the_window_do_not_make_a_storm(make_source, frozen):
    monitoring = make_source(storm_threshold=3, storm_window_seconds=600)
    monitoring.deliver(storm_of(2))
    frozen.shift(timedelta(minutes=11))
    monitoring.deliver(storm_of(1, first=2))
    assert Incident.objects.count() == 3
    assert not AlertIncident.objects.filter(storm=True).exists()


def test_flapping_within_the_window_reopens_nothing(prometheus, frozen):
    group = am_group(am_alert("NodeDown"))
    prometheus.deliver(group)
    frozen.shift(timedelta(minutes=2))
    prometheus.deliver(resolved(group))
    incident = only_incident()
    assert incident.status == "closed"
    frozen.shift(timedelta(minutes=3))
    body = prometheus.deliver(am_group(am_alert("NodeDown", starts="2026-11-23T02:04:00Z")))
    assert (body["flapping"], body["incidents_opened"]) == (1, [])
    assert fresh(incident).status == "closed"
    alert = Alert.objects.get()
    assert (alert.status, alert.occurrences, alert.flaps, alert.incident) == (
        "firing", 2, 1, incident)


def test_firing_again_after_the_flap_window_opens_a_new_incident(prometheus, frozen):
    group = am_group(am_alert("NodeDown"))
    prometheus.deliver(group)
    prometheus.deliver(resolved(group))
    first = only_incident()
    frozen.shift(timedelta(seconds=prometheus.source.flap_window_seconds + 60))
    body = prometheus.deliver(am_group(am_alert("NodeDown", starts="2026-11-23T02:15:00Z")))
    second = Incident.objects.get(number=body["incidents_opened"][0])
    assert second != first
    old, new = Alert.objects.order_by("id")
    assert (old.current, old.incident, old.status) == (False, first, "resolved")
    assert (new.current, new.incident, new.occurrences) == (True, second, 1)


def test_flapping_on_an_open_incident_stays_on_it(prometheus, cast):
    group = am_group(am_alert("NodeDown"))
    prometheus.deliver(group)
    act(actions.accept, only_incident(), cast.engineer_chen)
    prometheus.deliver(resolved(group))
    prometheus.deliver(am_group(am_alert("NodeDown", starts="2026-11-23T02:00:00Z")))
    alert = Alert.objects.get()
    assert (alert.status, alert.flaps, alert.occurrences) == ("firing", 1, 2)
    assert Incident.objects.count() == 1
