"""The per-record audit trail: every event with who, when, what changed, why,
source and hash, and the record's chain status; for auditors only."""

import pytest

from opsdesk.audit import rules
from opsdesk.core.choices import Role
from opsdesk.core.errors import Forbidden
from opsdesk.core.models import User

from .conftest import chain_of, sql


def page(client, incident, key=None):
    return client.get(f"/audit/incident/{key or incident.number}/")


def test_an_auditor_sees_every_event_of_an_incident(incident, as_user, cast):
    response = page(as_user(cast.lead_wang), incident)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="audit-event"') == 4
    assert 'data-status="intact"' in html
    assert "The hash chain is intact: 4 events" in html
    for event in chain_of(incident):
        assert event.hash in html
    assert "陈伟 (engineer_chen)" in html and "转二线" in html and "正在检查负载均衡" in html
    # The assignment's before → after, as stored.
    assert '<span class="field-name">team</span>' in html
    assert "二线系统组" in html or str(cast.l2.pk) in html


def test_the_trail_is_found_by_id_as_well_as_by_number(incident, as_user, cast):
    by_id = page(as_user(cast.lead_wang), incident, key=str(incident.pk))
    assert by_id.status_code == 200 and incident.number in by_id.content.decode()


def test_a_broken_chain_is_shown_at_the_event(incident, as_user, cast):
    third = chain_of(incident)[2]
    sql("UPDATE {table} SET note = '改过' WHERE id = %s", [third.pk])
    html = page(as_user(cast.lead_wang), incident).content.decode()
    assert 'data-status="broken"' in html
    assert 'data-seq="3" class="broken" data-broken="altered"' in html
    assert html.count('data-broken=') == 1


def test_other_record_types_have_a_trail(cast, as_user, frozen):
    from opsdesk.core import timeline

    timeline.record(cast.ci, actor=cast.lead_wang, source="web", kind="updated",
                    changes={"location": ["上海一号机房", "上海二号机房"]})
    html = as_user(cast.lead_wang).get(f"/audit/ci/{cast.ci.pk}/").content.decode()
    assert "vm-web-01" in html and "上海一号机房" in html and "上海二号机房" in html


@pytest.mark.parametrize("path", ["/audit/incident/INC-20990101-0001/", "/audit/nothing/1/",
                                  "/audit/ci/INC-20261123-0001/"])
def test_unknown_records_are_not_found(incident, as_user, cast, path):
    assert as_user(cast.lead_wang).get(path).status_code == 404


@pytest.mark.parametrize("role", [Role.ADMIN, Role.SERVICE_MANAGER, Role.OPS_DIRECTOR,
                                  Role.INCIDENT_MANAGER, Role.PROBLEM_MANAGER,
                                  Role.CHANGE_MANAGER])
def test_auditors_may_read(incident, as_user, role):
    user = User.objects.create_user(username=f"u_{role}", role=role)
    assert page(as_user(user), incident).status_code == 200


@pytest.mark.parametrize("who", ["agent_li", "engineer_chen", "leader_ma"])
def test_other_staff_may_not(incident, as_user, cast, who):
    assert page(as_user(getattr(cast, who)), incident).status_code == 403
    with pytest.raises(Forbidden):
        rules.check_auditor(getattr(cast, who))


def test_requesters_never(incident, as_user, cast):
    response = page(as_user(cast.requester_zhao), incident)
    assert response.status_code == 403
    assert "data-testid=\"audit-event\"" not in response.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(incident, client):
    response = page(client, incident)
    assert response.status_code == 302 and "/login" in response["Location"]


def test_the_incident_page_links_to_the_trail_for_auditors_only(incident, as_user, cast):
    link = f'href="/audit/incident/{incident.pk}/"'
    assert link in as_user(cast.lead_wang).get(incident.get_absolute_url()).content.decode()
    assert link not in as_user(cast.agent_li).get(incident.get_absolute_url()).content.decode()


def test_problem_and_change_pages_link_auditors_to_their_trail(incident, as_user, cast):
    from opsdesk.changes import actions as change_actions
    from opsdesk.problems import actions as problem_actions

    problem = problem_actions.create_problem(actor=cast.lead_wang, source="web",
                                             title="负载均衡反复丢包", origin="unknown_cause",
                                             incident=incident)
    change = change_actions.create_change(actor=cast.engineer_chen, source="web", kind="normal",
                                          title="更换负载均衡板卡", reason="丢包", cis=[cast.ci])
    for page_path, trail in ((f"/problems/{problem.number}/", f"/audit/problem/{problem.pk}/"),
                             (f"/changes/{change.number}/", f"/audit/change/{change.pk}/")):
        auditor_page = as_user(cast.lead_wang).get(page_path).content.decode()
        assert f'href="{trail}"' in auditor_page
        assert 'data-testid="timeline"' in auditor_page
        engineer_page = as_user(cast.engineer_chen).get(page_path).content.decode()
        assert 'data-testid="timeline"' in engineer_page and trail not in engineer_page
        assert as_user(cast.lead_wang).get(trail).status_code == 200
