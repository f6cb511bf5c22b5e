"""The demo's change management: something in every queue, and next week's
calendar holds a scheduled change and one that conflicts with it."""

from opsdesk.changes import queries
from opsdesk.changes.conflicts import conflicts_for
from opsdesk.changes.models import BlackoutWindow, Change, StandardChange
from opsdesk.core.models import User
from opsdesk.demo import load_demo


def test_the_demo_plants_changes_in_every_queue(db, frozen):
    load_demo()

    xu = User.objects.get(username="change_manager_xu")
    zheng = User.objects.get(username="service_manager_zheng")
    assert StandardChange.objects.filter(active=True).exists()
    assert BlackoutWindow.objects.exists()
    states = set(Change.objects.values_list("state", flat=True))
    assert {"closed", "rolled_back", "scheduled", "assessed", "draft", "implemented"} <= states
    scheduled = Change.objects.get(state="scheduled")
    voted_on = queries.queue(zheng, "my_votes").get()
    assert [c.other for c in conflicts_for(voted_on)] == [scheduled]
    assert queries.queue(xu, "unrecorded").count() == 1
    failed = Change.objects.get(state="rolled_back")
    assert failed.incident_links.get().relation == "caused_by"
