"""Submitting an incident or a service request from the portal, and the
suggestions shown while typing (INC-07 until the knowledge base exists)."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from opsdesk.core import timeline
from opsdesk.core.models import ConfigurationItem, Contract, Service
from opsdesk.incidents import actions
from opsdesk.incidents.models import Incident

from ..incidents.helpers import act


def submission(cast, **overrides) -> dict:
    data = {"kind": "fault", "title": "交易终端无法连接行情服务器",
            "description": "上午九点起交易终端提示连接超时", "category": cast.category.pk,
            "ci": cast.ci.pk, "impact": "medium", "urgency": "high"}
    data.update(overrides)
    return data


def test_a_requester_submits_a_fault_with_attachments(cast, as_user):
    client = as_user(cast.requester_zhao)
    screenshot = SimpleUploadedFile("报错截图.png", b"\x89PNG fake", content_type="image/png")
    log = SimpleUploadedFile("client.log", b"timeout after 30s")
    response = client.post(reverse("portal:submit"),
                           {**submission(cast), "attachments": [screenshot, log]})
    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("portal:ticket", args=[incident.number])
    assert (incident.channel, incident.requester, incident.customer, incident.created_by) == (
        "portal", cast.requester_zhao, cast.customer, cast.requester_zhao)
    assert (incident.kind, incident.ci, incident.category, incident.priority) == (
        "fault", cast.ci, cast.category, 3)
    assert incident.reporter_email == "requester_zhao@example.com"
    assert [(a.name, a.public) for a in incident.attachments.all()] == [
        ("报错截图.png", True), ("client.log", True)]
    assert [(e.kind, e.source, e.public) for e in timeline.events_of(incident)] == [
        ("logged", "portal", True), ("attachment_added", "portal", True),
        ("attachment_added", "portal", True)]
    page = client.get(response.url).content.decode()
    assert "交易终端无法连接行情服务器" in page and "报错截图.png" in page


def test_a_service_request_needs_no_configuration_item(cast, as_user):
    response = as_user(cast.requester_zhao).post(reverse("portal:submit"), submission(
        cast, kind="service_request", title="申请开通 VPN 账号", ci="", impact="low",
        urgency="low"))
    assert response.status_code == 302
    assert Incident.objects.get().kind == "service_request"


def test_only_the_organisations_configuration_items_and_services_are_offered(cast, as_user):
    foreign_ci = ConfigurationItem.objects.create(name="wms-db-01", ci_type="database",
                                                  customer=cast.other_customer)
    foreign_service = Service.objects.create(name="仓储管理服务", code="wms")
    Contract.objects.create(customer=cast.customer, number="HX-2026-01", title="云主机运维",
                            starts_on="2026-01-01", ends_on="2026-12-31").services.add(
        cast.service)
    client = as_user(cast.requester_zhao)
    form = client.get(reverse("portal:submit")).context["form"]
    assert list(form.fields["ci"].queryset) == [cast.ci]
    assert list(form.fields["service"].queryset) == [cast.service]
    response = client.post(reverse("portal:submit"), submission(
        cast, ci=foreign_ci.pk, service=foreign_service.pk))
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert set(errors) == {"ci", "service"}
    assert "Select a valid choice." in errors["ci"][0]
    assert not Incident.objects.exists()


def test_a_title_is_required_and_nothing_is_created_without_one(cast, as_user):
    response = as_user(cast.requester_zhao).post(reverse("portal:submit"),
                                                 submission(cast, title="  "))
    assert response.status_code == 422
    assert response.context["form"].errors["title"] == ["This field is required."]
    assert not Incident.objects.exists()


def test_an_oversized_attachment_is_refused_before_anything_is_created(cast, as_user, settings):
    settings.OPSDESK_MAX_ATTACHMENT_MB = 1
    big = SimpleUploadedFile("dump.bin", b"x" * (1024 * 1024 + 1))
    response = as_user(cast.requester_zhao).post(reverse("portal:submit"),
                                                 {**submission(cast), "attachments": [big]})
    assert response.status_code == 422
    assert response.context["form"].errors["attachments"] == ["A file may be at most 1 MB."]
    assert not Incident.objects.exists()


def resolved_elsewhere(cast, desk, *, customer, requester, title, solution, **fields):
    incident = desk.in_progress(customer=customer, requester=requester, title=title, **fields)
    return act(actions.resolve, incident, cast.engineer_chen, closure_code="successful",
               solution=solution)


def suggestions(client, cast, title, **extra):
    return client.get(reverse("portal:suggestions"), {"title": title, **extra})


def test_suggestions_offer_solutions_of_the_same_customer_only(cast, desk, colleague, as_user):
    title = "交易终端连接行情服务器超时"
    resolved_elsewhere(cast, desk, customer=cast.customer, requester=colleague, title=title,
                       solution="在终端设置中切换到备用行情站点")
    resolved_elsewhere(cast, desk, customer=cast.other_customer, requester=cast.outsider,
                       title=title, solution="明达物流内部：防火墙规则 10.2.3.4")
    page = suggestions(as_user(cast.requester_zhao), cast, "交易终端无法连接行情服务器")
    assert page.status_code == 200
    text = page.content.decode()
    assert "在终端设置中切换到备用行情站点" in text
    assert "明达物流内部" not in text
    assert [row.solution for row in page.context["solutions"]] == ["在终端设置中切换到备用行情站点"]


def test_suggestions_skip_unrelated_and_unsuccessful_solutions(cast, desk, as_user):
    resolved_elsewhere(cast, desk, customer=cast.customer, requester=cast.requester_zhao,
                       title="打印机卡纸", solution="清理纸道")
    rejected = resolved_elsewhere(cast, desk, customer=cast.customer,
                                  requester=cast.requester_zhao,
                                  title="交易终端连接行情服务器超时", solution="重启终端")
    act(actions.reject, rejected, cast.requester_zhao, reason="没有用")
    page = suggestions(as_user(cast.requester_zhao), cast, "交易终端无法连接行情服务器")
    assert page.context["solutions"] == []


def test_suggestions_show_the_requesters_similar_open_tickets(cast, desk, as_user):
    open_one = cast.log(title="交易终端连接行情服务器超时")
    cast.log(title="打印机卡纸")
    cast.log(requester=cast.outsider, customer=cast.other_customer,
             title="交易终端连接行情服务器超时")
    page = suggestions(as_user(cast.requester_zhao), cast, "交易终端无法连接行情服务器")
    assert [row.number for row in page.context["open_tickets"]] == [open_one.number]
    assert reverse("portal:ticket", args=[open_one.number]) in page.content.decode()


def test_no_suggestions_for_an_empty_title(cast, as_user):
    cast.log()
    page = suggestions(as_user(cast.requester_zhao), cast, "")
    assert page.context["solutions"] == [] and page.context["open_tickets"] == []
