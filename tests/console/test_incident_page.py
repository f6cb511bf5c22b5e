import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from opsdesk.core import timeline
from opsdesk.incidents import actions
from opsdesk.incidents.models import Incident

FORM = re.compile(r'data-testid="action-([a-z-]+)"')


def page(client, incident):
    response = client.get(reverse("incidents:detail", args=[incident.number]))
    assert response.status_code == 200
    return response.content.decode()


def offered(client, incident) -> set[str]:
    return set(FORM.findall(page(client, incident)))


def act(client, incident, action, **data):
    data.setdefault("version", Incident.objects.get(pk=incident.pk).version)
    return client.post(reverse("incidents:act", args=[incident.number, action]), data)


def fresh(incident) -> Incident:
    return Incident.objects.get(pk=incident.pk)


def kinds(incident) -> list[str]:
    return [event.kind for event in timeline.events_of(incident)]


def assigned_to_chen(cast, **fields):
    incident = cast.log(**fields)
    return actions.assign(incident, actor=cast.agent_li, source="web", expected_version=1,
                          team=cast.l2, assignee=cast.engineer_chen)


def in_progress(cast, **fields):
    incident = assigned_to_chen(cast, **fields)
    return actions.accept(incident, actor=cast.engineer_chen, source="web",
                          expected_version=incident.version)


def resolved(cast, **fields):
    incident = cast.log(**fields)
    return actions.resolve(incident, actor=cast.lead_wang, source="web", expected_version=1,
                           closure_code="workaround", solution="重启应用服务", problem="new")


def test_the_page_shows_the_record_grouped_with_local_times(cast, as_user):
    incident = cast.log(symptoms="登录转圈", system_type="网银")
    html = page(as_user(cast.agent_li), incident)
    for text in ("网银系统登录缓慢", "登录转圈", "华信证券", "VIP", "vm-web-01", "虚拟机磁盘变更",
                 "Request", "Classification and priority", "Assignment", "Resolution"):
        assert text in html, text
    assert 'data-testid="registered-at">2026-11-23 10:00<' in html
    assert re.search(r'data-testid="matrix-priority"><span[^>]*>P3<', html)


def test_a_new_incident_offers_the_desk_its_actions(cast, as_user):
    assert offered(as_user(cast.agent_li), cast.log()) == {
        "assign", "resolve", "override-priority", "link-duplicate", "update", "comment"}


def test_an_assigned_incident_offers_acceptance_to_its_assignee_only(cast, as_user):
    incident = assigned_to_chen(cast)
    assert "accept" in offered(as_user(cast.engineer_chen), incident)
    assert "accept" not in offered(as_user(cast.l1_engineer_zhou), incident)


def test_the_timeline_tells_who_did_what_when_and_what_changed(cast, as_user):
    incident = assigned_to_chen(cast)
    html = page(as_user(cast.agent_li), incident)
    timeline_html = html[html.index('data-testid="timeline"'):]
    assert timeline_html.count('data-testid="event"') == 2
    assert "logged the incident" in timeline_html
    assert "assigned the incident" in timeline_html
    assert "李娜" in timeline_html and "via console" in timeline_html
    assert "2026-11-23 10:00:00" in timeline_html
    assert re.search(r'assigned team</span>: <span class="old">—</span> → '
                     r'<span class="new">二线系统组</span>', timeline_html)
    assert re.search(r'status</span>: <span class="old">—</span> → <span class="new">New<',
                     timeline_html)


def test_assign_to_a_team_and_person(cast, as_user):
    incident = cast.log()
    response = act(as_user(cast.agent_li), incident, "assign", team=cast.l2.pk,
                   assignee=cast.engineer_chen.pk, note="请二线处理")
    assert response.status_code == 302 and response.url == incident.get_absolute_url()
    incident = fresh(incident)
    assert (incident.status, incident.team, incident.assignee) == (
        "assigned", cast.l2, cast.engineer_chen)


def test_assign_offers_people_grouped_by_team(cast, as_user):
    html = page(as_user(cast.agent_li), cast.log())
    assert '<optgroup label="二线系统组">' in html
    assigned = html[html.index('<optgroup label="二线系统组">'):]
    assigned = assigned[: assigned.index("</optgroup>")]
    assert "陈伟" in assigned and "孙磊" in assigned and "李娜" not in assigned


def test_accept(cast, as_user):
    incident = assigned_to_chen(cast)
    assert act(as_user(cast.engineer_chen), incident, "accept").status_code == 302
    incident = fresh(incident)
    assert incident.status == "in_progress" and incident.accepted_at is not None


def test_pend_and_resume(cast, as_user):
    incident = in_progress(cast)
    client = as_user(cast.engineer_chen)
    response = act(client, incident, "pend", waiting_on="vendor", reason="等待厂商备件")
    assert response.status_code == 302
    assert (fresh(incident).status, fresh(incident).waiting_on) == ("pending", "vendor")
    assert act(client, incident, "resume", note="备件已到").status_code == 302
    assert fresh(incident).status == "in_progress"


def test_resolve_prefills_recovery_time_and_resolver_role(cast, as_user):
    incident = in_progress(cast)
    html = page(as_user(cast.engineer_chen), incident)
    form = html[html.index('data-testid="action-resolve"'):]
    form = form[: form.index("</form>")]
    assert 'name="business_recovered_at" value="2026-11-23T10:00:00"' in form
    assert '<option value="l2" selected>' in form


def test_resolve_with_a_workaround(cast, as_user):
    incident = in_progress(cast, occurred_at=datetime(2026, 11, 23, 1, 0, tzinfo=UTC))
    response = act(as_user(cast.engineer_chen), incident, "resolve", closure_code="workaround",
                   solution="重启应用服务", business_recovered_at="2026-11-23T09:50",
                   resolver_role="l2", category=cast.category.pk, ci=cast.ci.pk,
                   failure_vendor="华为", problem="new")
    assert response.status_code == 302
    incident = fresh(incident)
    assert (incident.status, incident.closure_code, incident.needs_problem) == (
        "resolved", "workaround", True)
    assert incident.business_recovered_at.isoformat() == "2026-11-23T01:50:00+00:00"
    assert incident.failure_vendor == "华为"


def test_reject_records_the_answer_and_links_the_copy(cast, as_user):
    incident = assigned_to_chen(cast)
    incident = actions.resolve(incident, actor=cast.engineer_chen, source="web",
                               expected_version=incident.version, closure_code="successful",
                               solution="已优化")
    client = as_user(cast.agent_li)
    response = act(client, incident, "reject", reason="客户说仍然很慢")
    assert response.status_code == 302
    copy = Incident.objects.get(copied_from=incident)
    assert copy.assignee == cast.engineer_chen and copy.status == "assigned"
    html = client.get(response.url).content.decode()
    link = f'<a href="{copy.get_absolute_url()}">{copy.number}</a>'
    assert link in html[html.index('data-testid="message"'):]
    assert f'data-testid="link-copy">{copy.number}<' in html
    assert fresh(incident).closure_code == "unsuccessful"


def test_confirm_closes_and_then_nothing_can_be_done(cast, as_user):
    incident = resolved(cast)
    client = as_user(cast.agent_li)
    assert act(client, incident, "confirm", note="客户确认恢复").status_code == 302
    assert fresh(incident).status == "closed"
    html = page(client, incident)
    assert FORM.findall(html) == []
    assert 'data-testid="no-actions"' in html
    assert "This incident is closed and can no longer be changed." in html


def test_close_a_staff_raised_ticket(cast, as_user):
    incident = resolved(cast, channel="inspection")
    client = as_user(cast.agent_li)
    assert "close" in offered(client, incident)
    assert act(client, incident, "close").status_code == 302
    assert fresh(incident).status == "closed"


def test_link_duplicate_by_master_number(cast, as_user):
    master, incident = cast.log(), cast.log()
    response = act(as_user(cast.agent_li), incident, "link-duplicate",
                   master=master.number.lower())
    assert response.status_code == 302
    assert fresh(incident).duplicate_of == master


def test_override_priority_shows_who_and_why(cast, as_user):
    incident = cast.log()
    client = as_user(cast.lead_wang)
    response = act(client, incident, "override-priority", priority="1", reason="影响交易")
    assert response.status_code == 302
    incident = fresh(incident)
    assert (incident.priority, incident.matrix_priority) == (1, 3)
    html = page(client, incident)
    override = html[html.index('data-testid="priority-override"'):]
    assert "王芳" in override[:400] and "影响交易" in override[:400]


def test_edit_fields_sends_only_what_changed(cast, as_user):
    incident = cast.log()
    client = as_user(cast.agent_li)
    html = page(client, incident)
    form = html[html.index('data-testid="action-update"'):]
    form = form[: form.index("</form>")]
    data = {name: value for name, value in re.findall(
        r'<input type="(?:text|email|datetime-local|hidden)" name="(\w+)" value="([^"]*)"',
        form)}
    data.update(title="网银系统登录缓慢", kind="fault", impact="high", urgency="high",
                description="客户反映网银登录需要一分钟以上", customer=cast.customer.pk,
                ci=cast.ci.pk, category=cast.category.pk)
    response = client.post(reverse("incidents:act", args=[incident.number, "update"]), data)
    assert response.status_code == 302
    incident = fresh(incident)
    assert (incident.impact, incident.priority, incident.version) == ("high", 2, 2)
    [edited] = [e for e in timeline.events_of(incident) if e.kind == "updated"]
    assert set(edited.changes) == {"impact", "matrix_priority", "priority"}


def test_comments_are_marked_internal_or_public(cast, as_user):
    incident = cast.log()
    client = as_user(cast.agent_li)
    assert act(client, incident, "comment", body="内部备注：疑似数据库慢").status_code == 302
    assert act(client, incident, "comment", body="已联系客户", public="on").status_code == 302
    html = page(client, incident)
    internal = html[html.index("内部备注") - 600: html.index("内部备注")]
    public = html[html.index("已联系客户") - 600: html.index("已联系客户")]
    assert 'class="tag internal"' in internal and 'class="tag public"' in public
    events = [e for e in timeline.events_of(incident) if e.kind == "comment"]
    assert [e.public for e in events] == [False, True]


@pytest.mark.parametrize("prepare, user, action, data, field, status", [
    (assigned_to_chen, "agent_li", "assign",
     {"team": "@l2", "assignee": "@agent_li"}, "assignee", 422),
    (in_progress, "engineer_chen", "pend", {"waiting_on": "vendor", "reason": ""}, "reason",
     422),
    (in_progress, "engineer_chen", "resolve",
     {"closure_code": "successful", "solution": "", "resolver_role": "l2"}, "solution", 422),
    (resolved, "agent_li", "reject", {"reason": " "}, "reason", 422),
    (lambda cast: cast.log(), "agent_li", "link-duplicate", {"master": "INC-20261123-0999"},
     None, 404),
    (lambda cast: cast.log(), "lead_wang", "override-priority", {"priority": "1", "reason": ""},
     "reason", 422),
    (lambda cast: cast.log(), "agent_li", "comment", {"body": ""}, "body", 422),
])
def test_a_bad_submission_shows_the_error_and_changes_nothing(
    cast, as_user, prepare, user, action, data, field, status
):
    incident = prepare(cast)
    before, events_before = fresh(incident), kinds(incident)
    data = {key: {"@l2": cast.l2.pk, "@agent_li": cast.agent_li.pk}.get(value, value)
            for key, value in data.items()}
    response = act(as_user(getattr(cast, user)), incident, action, **data)
    assert response.status_code == status
    html = response.content.decode()
    assert f'data-testid="error-{action}"' in html
    if field:
        assert f'data-testid="field-error-{field}"' in html
    after = fresh(incident)
    assert (after.version, after.status, after.updated_at) == (
        before.version, before.status, before.updated_at)
    assert kinds(incident) == events_before


def test_a_stale_version_shows_the_conflict_and_changes_nothing(cast, as_user):
    incident = cast.log()
    client = as_user(cast.agent_li)
    actions.assign(incident, actor=cast.lead_wang, source="web", expected_version=1,
                   team=cast.l1)
    response = act(client, incident, "override-priority", version=1, priority="2",
                   reason="客户要求")
    assert response.status_code == 409
    html = response.content.decode()
    assert "This record was changed by someone else." in html
    assert fresh(incident).priority == 3
    form = html[html.index('data-testid="action-override-priority"'):]
    assert 'name="version" value="2"' in form  # the page now carries the current version
    assert "客户要求" in form


def test_acting_on_a_closed_incident_is_refused(cast, as_user):
    incident = resolved(cast)
    actions.confirm(incident, actor=cast.agent_li, source="web", expected_version=2)
    response = act(as_user(cast.agent_li), incident, "comment", body="还有问题")
    assert response.status_code == 409
    assert "This incident is closed and can no longer be changed." in response.content.decode()
    assert kinds(incident)[-1] == "confirmed"


def test_an_action_the_user_may_not_take_is_refused_with_the_reason(cast, as_user):
    incident = assigned_to_chen(cast)
    response = act(as_user(cast.l1_engineer_zhou), incident, "accept")
    assert response.status_code == 403
    html = response.content.decode()
    assert 'data-testid="action-error"' in html
    assert "Only the assignee, a member of the assigned team or a manager may do this." in html
    assert fresh(incident).status == "assigned"


def test_an_unknown_action_is_404(cast, as_user):
    incident = cast.log()
    assert act(as_user(cast.agent_li), incident, "explode").status_code == 404


def test_resolving_with_the_prefilled_form_succeeds_in_the_minute_it_was_logged(
    cast, as_user, frozen
):
    frozen.shift(30)  # logged at 10:00:30; "now" must not round down before that
    incident = in_progress(cast)
    client = as_user(cast.engineer_chen)
    html = page(client, incident)
    form = html[html.index('data-testid="action-resolve"'):]
    form = form[: form.index("</form>")]
    prefilled = dict(re.findall(r'name="(business_recovered_at|resolver_role|version)" '
                                r'value="([^"]*)"', form))
    prefilled.setdefault("resolver_role", "l2")
    response = act(client, incident, "resolve", closure_code="successful", solution="已处理",
                   category=cast.category.pk, ci=cast.ci.pk, **prefilled)
    assert response.status_code == 302
    assert fresh(incident).business_recovered_at == fresh(incident).occurred_at
