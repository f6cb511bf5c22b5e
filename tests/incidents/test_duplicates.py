"""Duplicates (INC-04, INC-14, INC-15): linking to a master, and the master's
resolution and closure carried to its duplicates with the same closure code."""

import pytest

from opsdesk.core.errors import Invalid
from opsdesk.core.models import ConfigurationItem
from opsdesk.incidents import actions
from opsdesk.incidents.queries import duplicate_candidates

from .helpers import act, events, fresh, snapshot


def link(cast, incident, master):
    return act(actions.link_duplicate, incident, cast.agent_li, master=master)


def test_linking_marks_the_duplicate_and_tells_both_timelines(cast):
    master, duplicate = cast.log(), cast.log(title="网银登录很慢")
    duplicate = link(cast, duplicate, master)
    assert fresh(duplicate).duplicate_of == master
    assert fresh(duplicate).version == 2
    assert events(duplicate)[-1] == ("duplicate_linked", "agent_li", "web",
                                     {"duplicate_of": [None, master.number]})
    assert events(master)[-1] == ("duplicate_added", "agent_li", "web",
                                  {"duplicates": [None, [duplicate.number]]})


def test_a_duplicate_of_a_duplicate_points_to_the_root_master(cast):
    root, middle, leaf = cast.log(), cast.log(), cast.log()
    link(cast, middle, root)
    link(cast, leaf, middle)
    assert fresh(leaf).duplicate_of == root


def test_a_masters_own_duplicates_move_along_and_their_timelines_say_so(cast):
    old_master, its_duplicate, new_master = cast.log(), cast.log(), cast.log()
    link(cast, its_duplicate, old_master)
    version = fresh(its_duplicate).version
    link(cast, fresh(old_master), new_master)
    assert fresh(old_master).duplicate_of == new_master
    assert fresh(its_duplicate).duplicate_of == new_master
    assert fresh(its_duplicate).version == version + 1
    assert events(its_duplicate)[-1] == ("duplicate_linked", "agent_li", "web", {
        "duplicate_of": [old_master.number, new_master.number]})
    assert events(new_master)[-1][3] == {
        "duplicates": [None, [old_master.number, its_duplicate.number]]}


def test_a_closed_duplicate_stays_where_it_was(desk, cast):
    old_master, new_master = cast.log(), cast.log()
    closed = link(cast, desk.in_progress(), old_master)
    closed = act(actions.confirm, desk.resolve(closed), cast.agent_li)
    before = events(closed)
    link(cast, fresh(old_master), new_master)
    assert fresh(closed).duplicate_of == old_master
    assert events(closed) == before


@pytest.mark.parametrize("case", ["itself", "its own duplicate", "resolved master", "again"])
def test_impossible_links_are_refused(desk, cast, case):
    incident = cast.log()
    if case == "itself":
        master = incident
    elif case == "its own duplicate":
        master = cast.log()
        link(cast, master, incident)
    elif case == "resolved master":
        master = desk.resolved()
    else:
        master = cast.log()
        incident = link(cast, incident, master)
    incident = fresh(incident)
    before = snapshot()
    with pytest.raises(Invalid) as raised:
        link(cast, incident, master)
    assert set(raised.value.fields) == {"master"}
    assert snapshot() == before


def test_resolving_the_master_resolves_its_open_duplicates_alike(desk, cast):
    master = desk.in_progress()
    new_one, pending_one = cast.log(), desk.pending()
    for duplicate in (new_one, pending_one):
        link(cast, fresh(duplicate), master)
    desk.resolve(fresh(master), closure_code="workaround")
    for duplicate in (new_one, pending_one):
        stored = fresh(duplicate)
        assert (stored.status, stored.closure_code) == ("resolved", "workaround")
        assert stored.solution == "更换了故障磁盘" and stored.needs_problem
        assert stored.resolved_by == cast.engineer_chen
        assert events(duplicate)[-1] == ("resolved", "engineer_chen", "web", {
            "status": [duplicate.status, "resolved"], "closure_code": [None, "workaround"],
            "master": [None, master.number]})


@pytest.mark.parametrize("closing", ["confirm", "close"])
def test_closing_the_master_closes_its_duplicates_with_the_same_code(desk, cast, closing):
    channel = "phone" if closing == "confirm" else "inspection"
    master, duplicate = desk.in_progress(channel=channel), cast.log()
    link(cast, duplicate, master)
    master = desk.resolve(fresh(master), closure_code="successful_with_problem")
    act(getattr(actions, closing), master, cast.agent_li)
    stored = fresh(duplicate)
    assert (stored.status, stored.closure_code) == ("closed", "successful_with_problem")
    kind, actor, _, changes = events(duplicate)[-1]
    assert (kind, actor) == ("confirmed" if closing == "confirm" else "closed", "agent_li")
    assert changes == {"status": ["resolved", "closed"], "master": [None, master.number]}


def test_an_automatic_master_closes_its_duplicates_on_resolution(desk, cast):
    master = desk.in_progress(channel="monitoring", kind="alert")
    duplicate = link(cast, cast.log(), master)
    desk.resolve(fresh(master))
    assert (fresh(duplicate).status, fresh(duplicate).closure_code) == ("closed", "successful")


def test_a_rejected_master_closes_its_duplicates_unsuccessful(desk, cast):
    master, duplicate = desk.in_progress(), cast.log()
    link(cast, duplicate, master)
    act(actions.reject, desk.resolve(fresh(master)), cast.agent_li, reason="未解决")
    assert (fresh(duplicate).status, fresh(duplicate).closure_code) == ("closed", "unsuccessful")


def test_closed_duplicates_are_left_alone(desk, cast):
    master = desk.in_progress()
    duplicate = link(cast, desk.in_progress(), master)
    act(actions.confirm, desk.resolve(duplicate), cast.agent_li)
    events_before = events(duplicate)
    act(actions.confirm, desk.resolve(fresh(master)), cast.agent_li)
    assert events(duplicate) == events_before


def test_candidates_are_open_tickets_of_the_same_customer_and_ci_with_a_similar_title(
        desk, cast):
    same = cast.log(title="网银登录很慢")
    cast.log(title="打印机卡纸")
    cast.log(title="网银登录很慢", customer=cast.other_customer)
    cast.log(title="网银登录很慢", ci=ConfigurationItem.objects.create(name="pc-01", ci_type="pc"))
    desk.resolved(title="网银登录很慢")
    link(cast, cast.log(title="网银登录缓慢"), same)
    found = duplicate_candidates(cast.agent_li, title="网银系统登录缓慢", customer=cast.customer,
                                 ci=cast.ci)
    assert [incident.number for incident, _ in found] == [same.number]
