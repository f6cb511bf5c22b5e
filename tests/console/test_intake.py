from django.urls import reverse

from opsdesk.core import timeline
from opsdesk.incidents import actions
from opsdesk.incidents.models import Incident

PHONE_CALL = {
    "title": "网银系统登录缓慢",
    "symptoms": "登录页面转圈一分钟",
    "description": "客户来电反映网银登录需要一分钟以上",
    "kind": "fault",
    "channel": "phone",
    "impact": "high",
    "urgency": "high",
    "reporter_name": "赵敏",
    "reporter_phone": "13800000000",
    "reporter_email": "zhao@example.com",
    "system_type": "网银",
    "occurred_at": "2026-11-23T09:30",
}


def phone_call(cast, **overrides):
    return {**PHONE_CALL, "customer": cast.customer.pk, "ci": cast.ci.pk,
            "category": cast.category.pk, "service": cast.service.pk, **overrides}


def test_the_form_defaults_to_a_phone_fault(cast, as_user):
    html = as_user(cast.agent_li).get(reverse("incidents:new")).content.decode()
    assert '<option value="phone" selected>' in html
    assert '<option value="fault" selected>' in html
    assert 'data-testid="priority-matrix"' in html


def test_an_agent_logs_a_phone_incident(cast, as_user):
    response = as_user(cast.agent_li).post(reverse("incidents:new"), phone_call(cast))
    incident = Incident.objects.get()
    assert response.status_code == 302 and response.url == incident.get_absolute_url()
    assert incident.channel == "phone" and incident.kind == "fault"
    assert incident.priority == 2 and incident.is_vip
    assert (incident.customer, incident.ci, incident.category, incident.service) == (
        cast.customer, cast.ci, cast.category, cast.service)
    assert incident.reporter_phone == "13800000000"
    assert incident.occurred_at.isoformat() == "2026-11-23T01:30:00+00:00"  # 09:30 Shanghai
    assert incident.created_by == cast.agent_li
    [event] = timeline.events_of(incident)
    assert (event.kind, event.source, event.actor) == ("logged", "web", cast.agent_li)


def test_a_bad_form_shows_errors_and_logs_nothing(cast, as_user):
    response = as_user(cast.agent_li).post(
        reverse("incidents:new"), phone_call(cast, title="", urgency="", occurred_at=""))
    assert response.status_code == 422
    html = response.content.decode()
    assert 'data-testid="field-error-title"' in html
    assert 'data-testid="field-error-urgency"' in html
    assert not Incident.objects.exists()


def test_an_action_error_is_shown_on_its_field(cast, as_user):
    response = as_user(cast.agent_li).post(
        reverse("incidents:new"), phone_call(cast, occurred_at="2026-11-23T11:00"))
    assert response.status_code == 422
    html = response.content.decode()
    assert 'data-testid="field-error-occurred_at"' in html
    assert "This time is in the future." in html
    assert not Incident.objects.exists()


def test_duplicate_suggestions_offer_the_open_incident(cast, as_user):
    master = cast.log(title="网银系统登录缓慢", system_type="网银")
    cast.log(title="打印机卡纸", system_type="办公")
    response = as_user(cast.agent_li).get(reverse("incidents:duplicates"), {
        "title": "网银登录很慢", "customer": cast.customer.pk, "ci": cast.ci.pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-testid="candidate" data-number="{master.number}"' in html
    assert f'name="duplicate_of" value="{master.number}"' in html
    assert "打印机卡纸" not in html


def test_no_suggestions_without_customer_or_system(cast, as_user):
    cast.log(title="网银系统登录缓慢")
    response = as_user(cast.agent_li).get(reverse("incidents:duplicates"),
                                          {"title": "网银系统登录缓慢"})
    assert 'data-testid="candidate"' not in response.content.decode()


def test_choosing_a_suggestion_logs_the_incident_as_its_duplicate(cast, as_user):
    master = cast.log()
    response = as_user(cast.agent_li).post(
        reverse("incidents:new"), phone_call(cast, duplicate_of=master.number), follow=True)
    incident = Incident.objects.exclude(pk=master.pk).get()
    assert incident.duplicate_of == master
    html = response.content.decode()
    assert f'data-testid="link-master">{master.number}<' in html
    assert [e.kind for e in timeline.events_of(incident)] == ["logged", "duplicate_linked"]


def test_a_master_resolved_meanwhile_still_logs_and_warns(cast, as_user):
    master = cast.log()
    actions.resolve(master, actor=cast.lead_wang, source="web", expected_version=1,
                    closure_code="successful", solution="已修复")
    response = as_user(cast.agent_li).post(
        reverse("incidents:new"), phone_call(cast, duplicate_of=master.number), follow=True)
    incident = Incident.objects.exclude(pk=master.pk).get()
    assert incident.duplicate_of is None
    assert 'class="message warning"' in response.content.decode()


def test_priority_preview_follows_the_configured_matrix(cast, as_user):
    client = as_user(cast.agent_li)
    preview = client.get(reverse("incidents:priority"), {"impact": "high", "urgency": "critical"})
    assert ">P1<" in preview.content.decode()
    preview = client.get(reverse("incidents:priority"), {"impact": "low", "urgency": "low"})
    assert ">P4<" in preview.content.decode()
    preview = client.get(reverse("incidents:priority"), {"impact": "high"})
    assert ">P" not in preview.content.decode()
