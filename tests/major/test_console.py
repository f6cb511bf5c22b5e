"""The console: the incident page's panel, the /major/ list, the report page,
contingency plans, the navigation and the incident monitor."""

from django.urls import reverse

from opsdesk.core.models import Notification
from opsdesk.major import actions
from opsdesk.major.models import ContingencyPlan

from .conftest import P1, declare, make_plan, minutes


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_managers_see_the_declare_button_and_the_plans_that_apply(crew, as_user):
    make_plan(crew, cis=[crew.ci])
    incident = crew.log(**P1)
    html = page(as_user(crew.lead_wang), incident.get_absolute_url())
    assert 'data-testid="declare-major"' in html
    assert 'data-testid="candidate-plan"' in html and "云主机应急预案" in html
    agent_html = page(as_user(crew.agent_li), incident.get_absolute_url())
    assert 'data-testid="declare-major"' not in agent_html


def test_declaring_running_and_lifting_through_the_console(crew, as_user, frozen):
    make_plan(crew, cis=[crew.ci])
    incident = crew.log(**P1)
    client = as_user(crew.lead_wang)
    response = client.post(reverse("major:declare", args=[incident.number]), {
        "reason": "交易中断", "technical_lead": crew.engineer_chen.pk,
        "update_interval_minutes": 20})
    assert response.status_code == 302
    major = incident.major
    assert major.update_interval_minutes == 20
    act = lambda action: reverse("major:act", args=[major.number, action])  # noqa: E731
    step = major.steps.order_by("position").first()
    assert client.post(act("step"), {"step": step.pk, "note": "已确认"}).status_code == 302
    assert client.post(act("update"), {"text": "切换中"}).status_code == 302
    html = page(client, incident.get_absolute_url())
    assert 'data-done="yes"' in html and "切换中" in html
    frozen.shift(minutes(30))
    response = client.post(act("lift"), {"business_recovered_at": "2026-11-23T10:20:00",
                                         "summary": "切换到备机"})
    assert response.status_code == 302 and response.url == reverse("major:report",
                                                                   args=[major.number])
    report = page(client, response.url)
    assert 'data-testid="report-recovery">20 minutes<' in report
    assert "切换到备机" in report
    assert Notification.objects.filter(event="major_report").exists()


def test_an_error_is_shown_and_nothing_changes(crew, as_user):
    major = declare(crew)
    client = as_user(crew.agent_li)
    response = client.post(reverse("major:act", args=[major.number, "update"]), {"text": "x"},
                           follow=True)
    assert "Only the emergency team or a manager may do this." in response.content.decode()
    assert major.updates.count() == 0


def test_the_list_shows_active_and_past_major_incidents(crew, as_user, frozen):
    active = declare(crew)
    past = declare(crew, crew.log(title="邮件系统中断", **P1))
    frozen.shift(minutes(5))
    actions.lift(past, actor=crew.lead_wang, source="web",
                 business_recovered_at=past.declared_at)
    html = page(as_user(crew.engineer_chen), reverse("major:list"))
    active_part, past_part = html.split('data-testid="major-past"')
    assert active.number in active_part and past.number not in active_part
    assert past.number in past_part
    assert 'data-testid="nav-major"' in html


def test_requesters_never_see_major_incidents(crew, client):
    major = declare(crew)
    client.force_login(crew.requester_zhao)
    assert client.get(reverse("major:list")).status_code == 403
    assert client.get(reverse("major:report", args=[major.number])).status_code == 403


def test_the_report_waits_for_the_lift(crew, as_user):
    major = declare(crew)
    assert as_user(crew.lead_wang).get(reverse("major:report", args=[major.number])
                                       ).status_code == 404


def test_managers_create_and_edit_plans_and_record_drills(crew, as_user):
    client = as_user(crew.lead_wang)
    form = {"name": "网银应急预案", "cis": "vm-web-01\n", "services": [crew.ebanking.pk],
            "trigger_conditions": "网银无法登录超过 5 分钟",
            "contacts": "王芳 | 事件经理 | 13910000010\n陈伟，技术负责人，13910000201",
            "steps": "确认范围\n\n切换备机\n", "communication_template": "{incident} {update}"}
    response = client.post(reverse("major:plan_new"), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    plan = ContingencyPlan.objects.get()
    assert list(plan.steps.values_list("text", flat=True)) == ["确认范围", "切换备机"]
    assert list(plan.contacts.values_list("name", "role", "phone")) == [
        ("王芳", "事件经理", "13910000010"), ("陈伟", "技术负责人", "13910000201")]
    assert [ci.name for ci in plan.cis.all()] == ["vm-web-01"]

    edited = client.post(reverse("major:plan_edit", args=[plan.pk]),
                         {**form, "version": plan.version, "steps": "确认范围"})
    assert edited.status_code == 302
    assert client.post(reverse("major:plan_drill", args=[plan.pk]), {
        "held_on": "2026-10-01", "participants": "王芳、陈伟", "result": "passed",
        "findings": "切换用时 8 分钟"}).status_code == 302
    html = page(client, plan.get_absolute_url())
    assert html.count('data-testid="plan-step-text"') == 1
    assert "切换用时 8 分钟" in html


def test_bad_plans_are_refused_with_the_reasons(crew, as_user):
    client = as_user(crew.lead_wang)
    response = client.post(reverse("major:plan_new"), {
        "name": "空预案", "cis": "no-such-item", "trigger_conditions": "x", "steps": "a"})
    assert response.status_code == 422
    assert "No configuration item is called: no-such-item." in response.content.decode()
    response = client.post(reverse("major:plan_new"), {
        "name": "空预案", "trigger_conditions": "x", "steps": "a"})
    assert response.status_code == 422
    assert "Name the configuration items or services the plan covers." in \
        response.content.decode()
    assert ContingencyPlan.objects.count() == 0


def test_only_managers_edit_plans(crew, as_user):
    plan = make_plan(crew, cis=[crew.ci])
    client = as_user(crew.engineer_chen)
    assert client.get(reverse("major:plan_new")).status_code == 403
    assert client.get(reverse("major:plan_edit", args=[plan.pk])).status_code == 403
    assert "云主机应急预案" in page(client, reverse("major:plans"))


def test_the_admin_lists_plans_and_major_incidents(crew, as_user):
    make_plan(crew, cis=[crew.ci])
    declare(crew)
    crew.admin.is_staff = crew.admin.is_superuser = True
    crew.admin.save()
    client = as_user(crew.admin)
    assert "云主机应急预案" in page(client, "/admin/major/contingencyplan/")
    assert "INC-" in page(client, "/admin/major/majorincident/")


def test_the_monitor_lists_active_major_incidents_only(crew, as_user):
    undeclared = crew.log(**P1)
    major = declare(crew, crew.log(impact="low", urgency="low"))
    html = page(as_user(crew.lead_wang), reverse("incidents:monitor"))
    section = html.split('data-testid="monitor-major"')[1].split("</section>")[0]
    assert major.number in section and undeclared.number not in section
