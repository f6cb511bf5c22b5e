"""Team stints where people and clients see them: the incident page's
service-level panel and the API record, with the vendor named on pending."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse

from opsdesk.incidents import actions
from opsdesk.sla.models import BusinessCalendar, UnderpinningContract
from tests.api.conftest import Api, assert_error, in_progress

from .helpers import act

SHANGHAI = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.fixture
def huawei_contract(cast):
    return UnderpinningContract.objects.create(
        vendor=cast.vendor, reference="HW-2026-017", priority=3, response_minutes=30,
        resolution_minutes=240, calendar=BusinessCalendar.objects.get(code="workdays"))


def page_of(client, user, incident) -> str:
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(incident.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_the_incident_page_shows_the_teams_ola_line_and_time_left(client, cast, desk, frozen):
    incident = desk.assigned()
    frozen.shift(timedelta(minutes=30))

    page = page_of(client, cast.agent_li, incident)

    assert "OLA · 二线系统组 (L2 support): hand over by" in page
    assert ('<dd data-testid="stint" data-stint="ola" data-state="ok"><time '
            'datetime="2026-11-23T12:00:00+08:00">2026-11-23 12:00</time> '
            '<span class="badge sla ok">1 h 30 min left</span></dd>') in page


def test_an_overdue_stint_is_red_and_an_ended_one_says_how_it_ended(client, cast, frozen):
    incident = act(actions.assign, cast.log(), cast.agent_li, team=cast.l1)
    frozen.shift(timedelta(minutes=70))
    overdue = page_of(client, cast.agent_li, incident)
    act(actions.assign, incident, cast.agent_li, team=cast.l2)

    page = page_of(client, cast.agent_li, incident)

    assert '<span class="badge sla breached">10 min overdue</span>' in overdue
    assert "Handed over at 2026-11-23 11:10: target missed" in page
    assert "OLA · 二线系统组 (L2 support): hand over by" in page


def test_the_page_shows_the_vendor_contract_while_pending_on_the_vendor(
        client, cast, desk, huawei_contract):
    incident = act(actions.pend, desk.in_progress(), cast.engineer_chen, waiting_on="vendor",
                   vendor=cast.vendor, reason="等待华为备件")

    page = page_of(client, cast.engineer_chen, incident)

    assert "UC HW-2026-017 · 华为厂商支持, pending on the vendor: resolve by" in page
    assert '<span class="badge sla ok">4 h 0 min left</span>' in page
    assert '<span class="badge sla paused">paused while the incident is pending</span>' in page


def test_the_pend_form_names_the_vendor(client, cast, desk, huawei_contract):
    incident = desk.in_progress()
    client.force_login(cast.engineer_chen)

    response = client.post(reverse("incidents:act", args=[incident.number, "pend"]), {
        "version": incident.version, "waiting_on": "vendor", "vendor": cast.vendor.pk,
        "reason": "等待华为备件"})

    assert response.status_code == 302, response.content
    assert incident.stints.get(kind="pending_on_vendor").team == cast.vendor


def test_the_api_record_carries_the_ola_and_vendor_due_times(cast, frozen, huawei_contract):
    incident = in_progress(cast)
    api = Api(cast.engineer_chen)

    body = api.get(f"/incidents/{incident.number}").json()
    assert (body["ola_started_at"], body["ola_due_at"]) == (
        "2026-11-23T02:00:00Z", "2026-11-23T04:00:00Z")
    assert (body["vendor_pending"], body["vendor_due_at"]) == (None, None)

    frozen.shift(timedelta(minutes=15))
    pended = api.act(incident, "pend", {"version": body["version"], "waiting_on": "vendor",
                                        "vendor": "华为厂商支持", "reason": "等待华为备件"})

    assert pended.status_code == 200, pended.content
    body = pended.json()
    assert body["ola_due_at"] is None  # L2 waits: its clock stands still
    assert (body["vendor_pending"], body["vendor_due_at"]) == (
        "华为厂商支持", "2026-11-23T07:15:00Z")
    listed = api.get("/incidents").json()["items"][0]
    assert listed["vendor_pending"] == "华为厂商支持"


def test_the_api_refuses_an_unknown_vendor_and_changes_nothing(cast):
    incident = in_progress(cast)
    api = Api(cast.engineer_chen)

    response = api.act(incident, "pend", {"version": incident.version, "waiting_on": "vendor",
                                          "vendor": "不存在的厂商", "reason": "等待"})
    not_a_vendor = api.act(incident, "pend", {"version": incident.version,
                                              "waiting_on": "vendor", "vendor": "三线专家组",
                                              "reason": "等待"})

    assert_error(response, 422, "invalid", ["vendor"])
    assert_error(not_a_vendor, 422, "invalid", ["vendor"])
    assert api.get(f"/incidents/{incident.number}").json()["status"] == "in_progress"
