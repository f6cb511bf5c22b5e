"""Deliveries racing on separate connections, as Alertmanager's parallel
notifications reach several web processes."""

import pytest

from opsdesk.alerts import actions
from opsdesk.alerts.models import Alert, Delivery
from opsdesk.incidents.models import Incident

from ..incidents.test_concurrency import in_threads
from .conftest import Monitoring, am_alert, am_group


@pytest.fixture
def tx_prometheus(tx_cast):
    source, token = actions.create_source(name="prometheus", kind="alertmanager",
                                          team=tx_cast.l2, category=tx_cast.category)
    return Monitoring(source, token)


def post_in_threads(monitoring, payloads):
    def work(index):
        return Monitoring(monitoring.source, monitoring.token).post(payloads[index])

    responses, errors = in_threads(len(payloads), work)
    assert errors == []
    assert [response.status_code for response in responses] == [200] * len(payloads)
    return [response.json() for response in responses]


@pytest.mark.postgres_only
def test_two_deliveries_of_one_new_alert_at_once_make_one_incident(tx_prometheus):
    # Two groups (so two different deliveries) that both carry the new alert.
    payloads = [am_group(am_alert("NodeDown"), am_alert(f"Other{i}", f"vm-{i}:9100"),
                         key=f"group-{i}") for i in range(2)]
    post_in_threads(tx_prometheus, payloads)
    node_down = Alert.objects.get(fingerprint="NodeDown-vm-web-01:9100")
    assert Incident.objects.filter(alerts=node_down).count() == 1
    assert Incident.objects.count() == 3


@pytest.mark.postgres_only
def test_the_same_delivery_twice_at_once_is_processed_once(tx_prometheus):
    payload = am_group(am_alert("NodeDown"))
    bodies = post_in_threads(tx_prometheus, [payload, payload])
    assert sorted(body["duplicate"] for body in bodies) == [False, True]
    assert (Incident.objects.count(), Delivery.objects.count()) == (1, 1)


@pytest.mark.postgres_only
def test_a_storm_split_over_concurrent_deliveries_is_still_one_incident(tx_prometheus):
    tx_prometheus.source.storm_threshold = 4
    tx_prometheus.source.save()
    payloads = [am_group(*[am_alert(f"Check{i}-{n}") for n in range(3)], key=f"g{i}")
                for i in range(4)]
    post_in_threads(tx_prometheus, payloads)
    # However the four deliveries interleave, one incident holds the storm
    # and any incident opened before it became a storm is its duplicate.
    masters = Incident.objects.filter(duplicate_of=None)
    assert masters.count() == 1
    assert masters.get().alerts.count() == 12
