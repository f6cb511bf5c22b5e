"""What a delivery costs (issue 4: >= 2,000 alerts/s, bench/alerts.py) and
what the hand-written statements of the hot path store."""

from datetime import timedelta

from opsdesk.alerts.models import Alert

from .conftest import am_alert, am_group, only_incident, resolved

TEN = [am_alert(f"Check{n}", "vm-web-01:9100") for n in range(10)]


def test_a_repeat_of_ten_alerts_costs_a_few_statements(prometheus,
                                                       django_assert_max_num_queries):
    prometheus.deliver(am_group(*TEN))
    again = [{**alert, "startsAt": "2026-11-23T01:55:00Z"} for alert in TEN]
    # Source, BEGIN, claim, lock, current rows, one UPDATE, outcome, COMMIT.
    with django_assert_max_num_queries(8):
        body = prometheus.deliver(am_group(*again))
    assert (body["repeats"], body["incidents_opened"]) == (10, [])
    assert set(Alert.objects.values_list("occurrences", flat=True)) == {2}


def test_ten_alerts_joining_a_running_storm_cost_a_few_statements(
        prometheus, cast, django_assert_max_num_queries):
    prometheus.deliver(am_group(*TEN))
    storm = only_incident()
    more = [am_alert(f"Disk{n}", "vm-web-01:9100") for n in range(10)]
    # As above, plus mapping rules, CIs, scope lock, windows, storms, one INSERT.
    with django_assert_max_num_queries(13):
        body = prometheus.deliver(am_group(*more))
    assert (body["new"], body["incidents_opened"]) == (10, [])
    assert storm.alerts.count() == 20


def test_resolving_ten_alerts_of_a_storm_looks_at_the_incident_once(
        prometheus, django_assert_max_num_queries):
    group = am_group(*TEN, am_alert("Last", "vm-web-01:9100"))
    prometheus.deliver(group)
    # The incident is locked and its firing alerts counted: one still fires.
    with django_assert_max_num_queries(10):
        body = prometheus.deliver(resolved(am_group(*TEN)))
    assert (body["resolved"], body["incidents_closed"]) == (10, [])
    assert only_incident().status == "assigned"


def test_new_rows_keep_labels_text_and_exact_times(prometheus, frozen):
    alert = am_alert("磁盘使用率", "vm-web-01:9100", starts="2026-11-23T09:50:00.123456+08:00",
                     机房="上海-2")
    prometheus.deliver(am_group(alert))
    row = Alert.objects.get()
    assert row.labels == alert["labels"]
    assert row.annotations == {"summary": "磁盘使用率 on vm-web-01:9100"}
    assert row.starts_at.isoformat() == "2026-11-23T01:50:00.123456+00:00"
    assert (row.current, row.occurrences, row.flaps, row.ends_at) == (True, 1, 0, None)
    assert row.first_seen_at.isoformat() == row.last_seen_at.isoformat() == \
        "2026-11-23T02:00:00+00:00"
    # The same start again, to the microsecond, is not a new occurrence.
    frozen.shift(timedelta(minutes=1))
    body = prometheus.deliver(am_group(alert, am_alert("Other")))
    assert body["repeats"] == 0
    assert Alert.objects.get(pk=row.pk).occurrences == 1
