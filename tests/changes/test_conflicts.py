"""Calendar conflicts (CHG-05), case by case: the pure rule on plain values,
then the same cases through the database and the CMDB graph."""

from datetime import timedelta

import pytest
from django.utils import translation

from opsdesk.changes import actions
from opsdesk.changes.conflicts import BLACKOUT, CHANGE, Footprint, conflicts_for, detect
from opsdesk.cmdb import actions as cmdb_actions
from opsdesk.core.errors import Forbidden, Invalid
from opsdesk.core.models import ConfigurationItem, Notification, Service

from .conftest import at, draft, step, walk_to

START, END = at(1, 22), at(1, 23)


def window(start=START, end=END, cis=(), services=()):
    return Footprint(start, end, frozenset(cis), frozenset(services))


@pytest.mark.parametrize(("other", "reach", "conflict"), [
    (window(cis={1}), {1}, True),  # the same item, the same window
    (window(at(1, 22, 30), at(2, 1), cis={1}), {1}, True),  # overlapping by half an hour
    (window(at(1, 21), at(1, 22), cis={1}), {1}, False),  # ends as ours starts
    (window(at(1, 23), at(2, 0), cis={1}), {1}, False),  # starts as ours ends
    (window(at(2, 22), at(2, 23), cis={1}), {1}, False),  # the next day
    (window(cis={2}), {1, 2}, True),  # an item ours depends on or supports
    (window(cis={3}), {1, 2}, False),  # an item not related to ours
    (window(services={9}), {1}, True),  # the same service named
])
def test_the_rule_for_two_changes(other, reach, conflict):
    subject = window(cis={1}, services={9})
    found = detect(subject, frozenset(reach), frozenset({9}), [("other", other)], [])
    assert [c.kind for c in found] == ([CHANGE] if conflict else [])


@pytest.mark.parametrize(("scope", "conflict"), [
    (window(at(1, 20), at(2, 6)), True),  # everything frozen, overlapping
    (window(at(1, 23), at(2, 6)), False),  # everything frozen, from our end
    (window(at(1, 20), at(2, 6), services={9}), True),  # a service we reach
    (window(at(1, 20), at(2, 6), services={8}), False),  # another service
    (window(at(1, 20), at(2, 6), cis={2}), True),  # an item we reach
    (window(at(1, 20), at(2, 6), cis={3}), False),  # another item
])
def test_the_rule_for_blackouts(scope, conflict):
    found = detect(window(cis={1}), frozenset({1, 2}), frozenset({9}), [], [("freeze", scope)])
    assert [c.kind for c in found] == ([BLACKOUT] if conflict else [])


@pytest.fixture
def graph(board):
    """vm-web-01 runs on host-01; the service 网上银行 depends on app-ebank-01,
    which runs on vm-web-01. vm-other-01 stands alone."""
    cast = board
    cast.host = ConfigurationItem.objects.create(name="host-01", ci_type="physical_server")
    cast.app = ConfigurationItem.objects.create(name="app-ebank-01", ci_type="application")
    cast.lonely = ConfigurationItem.objects.create(name="vm-other-01", ci_type="virtual_machine")
    cast.ebanking = Service.objects.create(name="网上银行", code="e-banking")
    admin = cast._user("admin", "管理员", "admin", None)
    service_ci = cmdb_actions.service_item(cast.ebanking, actor=admin, source="test")
    for source, kind, target in ((cast.ci, "runs_on", cast.host),
                                 (cast.app, "runs_on", cast.ci),
                                 (service_ci, "depends_on", cast.app)):
        cmdb_actions.relate(source, kind, target, actor=admin, source="test")
    return cast


def _submitted(cast, **fields):
    return walk_to(cast, "submitted", draft(cast, **fields))


def _other_numbers(change):
    return [getattr(c.other, "number", None) or c.other.name for c in conflicts_for(change)]


def test_the_same_item_in_an_overlapping_window(graph):
    ours = _submitted(graph)
    theirs = _submitted(graph, planned_start=at(1, 22, 30), planned_end=at(2, 0))
    assert _other_numbers(ours) == [theirs.number]
    assert _other_numbers(theirs) == [ours.number]
    with translation.override("en"):
        assert conflicts_for(ours)[0].message == (
            f"Overlaps {theirs.number} “vm-web-01 扩容内存到 32G” (2026-12-01 22:30 – "
            "2026-12-02 00:00) on vm-web-01.")


def test_conflicts_in_the_same_window_are_listed_in_the_order_they_were_raised(graph):
    ours = _submitted(graph)
    theirs = [_submitted(graph, planned_start=at(1, 22, 30), planned_end=at(2, 0))
              for _ in range(3)]
    actions.create_blackout(actor=graph.change_manager_xu, source="web", name="月末结算",
                            start=at(1, 20), end=at(2, 6))
    actions.create_blackout(actor=graph.change_manager_xu, source="web", name="网银冻结期",
                            start=at(1, 20), end=at(2, 6))
    assert _other_numbers(ours) == [change.number for change in theirs] + ["月末结算", "网银冻结期"]


@pytest.mark.parametrize("item", ["host", "app"])
def test_an_item_and_one_of_its_dependants_or_supports(graph, item):
    ours = _submitted(graph)
    theirs = _submitted(graph, cis=[getattr(graph, item)])
    assert _other_numbers(ours) == [theirs.number]
    assert _other_numbers(theirs) == [ours.number]


def test_a_change_to_a_service_meets_changes_to_what_supports_it(graph):
    ours = _submitted(graph, cis=[], services=[graph.ebanking])
    theirs = _submitted(graph, cis=[graph.host])
    assert _other_numbers(ours) == [theirs.number]


def test_unrelated_items_adjacent_windows_drafts_and_finished_changes_do_not_conflict(graph):
    ours = _submitted(graph)
    _submitted(graph, cis=[graph.lonely])
    _submitted(graph, planned_start=at(1, 23), planned_end=at(2, 1))
    _submitted(graph, planned_start=at(1, 20), planned_end=at(1, 22))
    draft(graph)
    step(actions.cancel, _submitted(graph), graph.engineer_chen, text="不做了")
    assert conflicts_for(ours) == []


def test_blackout_windows(graph):
    ours = _submitted(graph)
    xu = graph.change_manager_xu
    actions.create_blackout(actor=xu, source="web", name="月末结算", start=at(1, 23),
                            end=at(2, 6))
    actions.create_blackout(actor=xu, source="web", name="邮件系统割接",
                            start=at(1, 20), end=at(2, 6), cis=[graph.lonely])
    assert conflicts_for(ours) == []
    actions.create_blackout(actor=xu, source="web", name="网银冻结期", start=at(1, 20),
                            end=at(2, 6), services=[graph.ebanking])
    assert _other_numbers(ours) == ["网银冻结期"]


def test_scheduling_into_a_blackout_is_refused_except_for_an_emergency(graph):
    change = walk_to(graph, "approved")
    actions.create_blackout(actor=graph.change_manager_xu, source="web", name="国庆封网",
                            start=at(1, 0), end=at(8, 0))
    with translation.override("en"), pytest.raises(Invalid) as refused:
        step(actions.schedule, change, graph.change_manager_xu)
    assert "blackout window “国庆封网”" in refused.value.fields["planned_start"]
    moved = step(actions.schedule, change, graph.change_manager_xu,
                 planned_start=at(8, 0), planned_end=at(8, 0) + timedelta(hours=1))
    assert moved.state == "scheduled"


def test_blackouts_are_the_change_managers(graph):
    with pytest.raises(Forbidden):
        actions.create_blackout(actor=graph.engineer_chen, source="web", name="x",
                                start=at(1, 0), end=at(2, 0))
    with pytest.raises(Invalid) as refused:
        actions.create_blackout(actor=graph.change_manager_xu, source="web", name="",
                                start=at(2, 0), end=at(1, 0))
    assert set(refused.value.fields) == {"name", "end"}


def test_each_cab_member_reads_the_conflict_warning_in_their_own_language(graph):
    theirs = _submitted(graph, planned_start=at(1, 22, 30), planned_end=at(2, 0))
    graph.lead_wang.language = "en"
    graph.lead_wang.save(update_fields=["language"])
    with translation.override("en"):
        walk_to(graph, "assessed", _submitted(graph))

    told = {n.recipient.username: n.body for n in Notification.objects.filter(
        event="change_vote_needed")}
    assert f"Overlaps {theirs.number}" in told["lead_wang"]
    assert f"与 {theirs.number}“" in told["service_manager_zheng"]
    assert "Overlaps" not in told["service_manager_zheng"]
