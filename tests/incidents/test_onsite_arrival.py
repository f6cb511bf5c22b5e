"""On-site arrival (seed 004 §5.11, 规定时间内到达客户现场): dispatching an
incident to the on-site team sets the arrival deadline from the on-site OLA
target, and the engineer (or their lead, or a manager) records the arrival.
Time is frozen at Monday 2026-11-23 10:00 in Shanghai; the cast's incident is
P3 on the working-hours calendar (09:00-12:00, 13:00-18:00)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from opsdesk.core.choices import Role, Tier
from opsdesk.core.errors import Forbidden, Invalid, TransitionNotAllowed
from opsdesk.core.models import Team, User
from opsdesk.incidents import actions
from opsdesk.incidents.models import TeamStint
from opsdesk.sla.models import OlaTarget

from ..api.conftest import Api
from .helpers import act, events, fresh, snapshot

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.fixture
def onsite(cast):
    """The on-site group: 刘洋 works in it, 马队长 leads it from outside."""
    team = Team.objects.create(name="现场支持组", tier=Tier.ONSITE)
    team.liu = User.objects.create_user(
        username="onsite_liu", password="pw-onsite_liu", display_name="刘洋",
        role=Role.ENGINEER, team=team, email="onsite_liu@example.com")
    team.lead = User.objects.create_user(
        username="onsite_lead", password="pw-onsite_lead", display_name="马队长",
        role=Role.ENGINEER, team=cast.l1, email="onsite_lead@example.com")
    team.save(update_fields=["lead"])
    return team


def dispatched(cast, onsite, **log):
    incident = cast.log(**log)
    return act(actions.assign, incident, cast.agent_li, team=onsite, assignee=onsite.liu)


def stint_of(incident) -> TeamStint:
    return TeamStint.objects.get(incident=incident, tier=Tier.ONSITE)


def arrive(incident, actor, **kwargs):
    return act(actions.record_arrival, fresh(incident), actor, **kwargs)


def test_the_seeded_on_site_targets_give_arrival_times_by_priority(db):
    assert dict(OlaTarget.objects.filter(tier=Tier.ONSITE)
                .values_list("priority", "arrival_minutes")) == {1: 60, 2: 120, 3: 240, 4: 480}
    assert set(OlaTarget.objects.exclude(tier=Tier.ONSITE)
               .values_list("arrival_minutes", flat=True)) == {None}


def test_dispatching_on_site_sets_the_arrival_deadline_in_business_time(cast, onsite):
    incident = dispatched(cast, onsite)

    stint = stint_of(incident)
    # 240 working minutes from Monday 10:00: 10-12 and 13-15.
    assert (stint.started_at, stint.arrival_due_at, stint.arrived_at) == (
        local("2026-11-23 10:00"), local("2026-11-23 15:00"), None)


def test_other_tiers_get_no_arrival_deadline(cast, desk):
    incident = desk.assigned()

    assert TeamStint.objects.get(incident=incident).arrival_due_at is None


def test_the_engineer_records_the_arrival_now_by_default(cast, onsite, frozen):
    incident = dispatched(cast, onsite)
    frozen.shift(timedelta(minutes=50))

    arrive(incident, onsite.liu, note="已到达华信证券机房")

    assert stint_of(incident).arrived_at == local("2026-11-23 10:50")
    kind, who, source, changes = events(incident)[-1]
    assert (kind, who, source) == ("arrived_on_site", "onsite_liu", "web")
    assert changes == {
        "arrived_at": [None, "2026-11-23T02:50:00+00:00"],
        "arrival_due_at": [None, "2026-11-23T07:00:00+00:00"],
        "arrived_in_time": [None, True],
    }


def test_an_arrival_after_the_deadline_is_late(cast, onsite, frozen):
    incident = dispatched(cast, onsite, urgency="critical", impact="high")  # P1: 60 min, 7×24
    stint = stint_of(incident)
    assert stint.arrival_due_at == local("2026-11-23 11:00")
    frozen.shift(timedelta(hours=2))

    arrive(incident, onsite.liu, arrived_at=local("2026-11-23 11:20"))

    assert stint_of(incident).arrived_at == local("2026-11-23 11:20")
    assert events(incident)[-1][3]["arrived_in_time"] == [None, False]


@pytest.mark.parametrize("who", ["liu", "lead", "manager"])
def test_the_engineer_their_lead_or_a_manager_may_record_it(cast, onsite, who):
    actor = {"liu": onsite.liu, "lead": onsite.lead, "manager": cast.lead_wang}[who]
    incident = dispatched(cast, onsite)

    arrive(incident, actor)

    assert stint_of(incident).arrived_at == local("2026-11-23 10:00")


@pytest.mark.parametrize("who", ["engineer_chen", "agent_li", "requester_zhao"])
def test_others_may_not_and_nothing_is_written(cast, onsite, who):
    incident = dispatched(cast, onsite)
    before = snapshot()

    with pytest.raises(Forbidden):
        arrive(incident, getattr(cast, who))

    assert snapshot() == before
    assert stint_of(incident).arrived_at is None


@pytest.mark.parametrize(("arrived_at", "message"), [
    ("2026-11-23 09:59", "The engineer was dispatched at 2026-11-23 10:00:00: the arrival "
                         "cannot be earlier."),
    ("2026-11-23 10:01", "This time is in the future."),
])
def test_an_arrival_before_the_dispatch_or_in_the_future_is_refused(cast, onsite, arrived_at,
                                                                     message):
    incident = dispatched(cast, onsite)
    before = snapshot()

    with translation.override("en"), pytest.raises(Invalid) as refused:
        arrive(incident, onsite.liu, arrived_at=local(arrived_at))

    assert refused.value.fields == {"arrived_at": message}
    assert snapshot() == before and stint_of(incident).arrived_at is None


def test_the_arrival_is_recorded_once(cast, onsite):
    incident = dispatched(cast, onsite)
    arrive(incident, onsite.liu)

    with pytest.raises(TransitionNotAllowed):
        arrive(incident, onsite.liu)


def test_an_incident_never_sent_on_site_has_no_arrival(cast, desk):
    incident = desk.in_progress()

    with pytest.raises(TransitionNotAllowed):
        arrive(incident, cast.lead_wang)


def test_an_arrival_forgotten_until_after_the_fix_is_bounded_by_it(cast, onsite, frozen):
    incident = dispatched(cast, onsite)
    frozen.shift(timedelta(minutes=30))
    incident = act(actions.accept, incident, onsite.liu)
    frozen.shift(timedelta(minutes=30))
    act(actions.resolve, incident, onsite.liu, closure_code="successful", solution="更换网线",
        resolver_role=Tier.ONSITE)
    frozen.shift(timedelta(minutes=30))

    with translation.override("en"), pytest.raises(Invalid) as refused:
        arrive(incident, onsite.liu, arrived_at=local("2026-11-23 11:10"))
    assert refused.value.fields == {"arrived_at": "现场支持组 gave the incident up at "
                                                  "2026-11-23 11:00:00: the arrival cannot "
                                                  "be later."}

    arrive(incident, onsite.liu, arrived_at=local("2026-11-23 10:20"))
    assert stint_of(incident).arrived_at == local("2026-11-23 10:20")


def test_a_priority_change_moves_a_pending_arrival_deadline(cast, onsite):
    incident = dispatched(cast, onsite)

    act(actions.update_incident, incident, cast.agent_li,
        changes={"urgency": "critical", "impact": "high"})  # now P1: 60 minutes

    assert stint_of(incident).arrival_due_at == local("2026-11-23 11:00")


def test_the_console_offers_the_form_to_the_on_site_team_only(cast, onsite, as_user, frozen):
    incident = dispatched(cast, onsite)
    url = f"/incidents/{incident.number}/"

    assert 'data-testid="action-arrive"' not in as_user(cast.engineer_chen).get(url) \
        .content.decode()
    page = as_user(onsite.liu).get(url).content.decode()
    assert 'data-testid="action-arrive"' in page
    assert "On site · 现场支持组: arrive by" in page

    frozen.shift(timedelta(minutes=20))
    late = as_user(onsite.liu).post(f"{url}actions/arrive/", {
        "version": incident.version, "arrived_at": "2026-11-23T11:00:00"})
    assert late.status_code == 422
    assert "This time is in the future." in late.content.decode()
    assert stint_of(incident).arrived_at is None

    done = as_user(onsite.liu).post(f"{url}actions/arrive/", {
        "version": incident.version, "arrived_at": "2026-11-23T10:15:00"})
    assert done.status_code == 302
    page = as_user(onsite.liu).get(url).content.decode()
    assert "arrived at 2026-11-23 10:15: in time" in page
    assert "recorded the arrival on site" in page
    assert 'data-testid="action-arrive"' not in page


def test_the_api_records_the_arrival(cast, onsite):
    incident = dispatched(cast, onsite)

    refused = Api(cast.engineer_chen, language="en").act(incident, "arrive",
                                                         {"version": incident.version})
    assert refused.status_code == 403

    done = Api(onsite.liu).act(incident, "arrive", {
        "version": incident.version, "arrived_at": "2026-11-23T10:00:00+08:00",
        "note": "到场"})
    assert done.status_code == 200, done.content
    assert done.json()["number"] == incident.number
    assert stint_of(incident).arrived_at == local("2026-11-23 10:00")

    again = Api(onsite.liu, language="en").act(incident, "arrive", {"version": incident.version})
    assert again.status_code == 409
