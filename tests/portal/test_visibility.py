"""Who sees which ticket in the portal and through the API (one gate:
incidents.queries), and what a requester never sees."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from opsdesk.incidents import actions

from ..api.conftest import Api
from ..incidents.helpers import act
from .pages import without_csrf_tokens


def numbers_listed(client, tab="open") -> list[str]:
    page = client.get(reverse("portal:home"), {"tab": tab})
    assert page.status_code == 200
    return [row.number for row in page.context["page"].items]


def ticket_url(incident) -> str:
    return reverse("portal:ticket", args=[incident.number])


def test_a_requester_lists_only_their_own_tickets_by_default(cast, colleague, as_user):
    own = cast.log()
    cast.log(requester=colleague, title="打印机卡纸")
    cast.log(requester=cast.outsider, customer=cast.other_customer, title="仓库系统无法登录")
    assert numbers_listed(as_user(cast.requester_zhao)) == [own.number]


def test_the_organisation_setting_shows_the_customers_tickets(cast, colleague,
                                                              organisation_visible, as_user):
    own = cast.log()
    colleagues = cast.log(requester=colleague, title="打印机卡纸")
    cast.log(requester=cast.outsider, customer=cast.other_customer, title="仓库系统无法登录")
    assert numbers_listed(as_user(cast.requester_zhao)) == [colleagues.number, own.number]
    page = as_user(cast.requester_zhao).get(ticket_url(colleagues))
    assert page.status_code == 200
    assert "打印机卡纸" in page.content.decode()


def test_others_tickets_are_not_found_rather_than_forbidden(cast, colleague, as_user):
    colleagues = cast.log(requester=colleague, title="打印机卡纸")
    foreign = cast.log(requester=cast.outsider, customer=cast.other_customer)
    client = as_user(cast.requester_zhao)
    for incident in (colleagues, foreign):
        assert client.get(ticket_url(incident)).status_code == 404
        response = client.post(reverse("portal:act", args=[incident.number, "comment"]),
                               {"version": incident.version, "body": "看一下"})
        assert response.status_code == 404
    assert client.get(reverse("portal:ticket", args=["INC-20261123-9999"])).status_code == 404


def test_another_customers_tickets_stay_hidden_with_the_setting_on(cast, organisation_visible,
                                                                    as_user):
    foreign = cast.log(requester=cast.outsider, customer=cast.other_customer)
    client = as_user(cast.requester_zhao)
    assert client.get(ticket_url(foreign)).status_code == 404
    assert foreign.number not in numbers_listed(client)


def test_a_colleague_may_read_but_not_act_on_an_organisation_ticket(cast, colleague,
                                                                     organisation_visible,
                                                                     as_user):
    incident = cast.log()
    client = as_user(colleague)
    page = client.get(ticket_url(incident))
    assert page.status_code == 200 and page.context["comment_form"] is None
    response = client.post(reverse("portal:act", args=[incident.number, "comment"]),
                           {"version": incident.version, "body": "我也遇到了"})
    assert response.status_code == 403
    assert "我也遇到了" not in response.content.decode()


def test_the_api_uses_the_same_gate(cast, colleague, organisation_visible):
    colleagues = cast.log(requester=colleague, title="打印机卡纸")
    foreign = cast.log(requester=cast.outsider, customer=cast.other_customer)
    api = Api(cast.requester_zhao)
    listed = [item["number"] for item in api.get("/incidents").json()["items"]]
    assert listed == [colleagues.number]
    assert api.get(f"/incidents/{colleagues.number}").status_code == 200
    assert api.get(f"/incidents/{foreign.number}").status_code == 403
    cast.customer.requesters_see_organisation = False
    cast.customer.save()
    again = Api(cast.requester_zhao)
    assert again.get("/incidents").json()["items"] == []
    assert again.get(f"/incidents/{colleagues.number}").status_code == 403


def test_internal_notes_files_and_agent_fields_never_reach_the_requester(cast, desk, as_user):
    incident = desk.in_progress()
    incident = act(actions.override_priority, incident, cast.engineer_chen, priority=2,
                   reason="VIP 客户，内部提级")
    actions.comment(incident, actor=cast.engineer_chen, source="web",
                    body="内部：怀疑是存储阵列问题", public=False)
    actions.comment(incident, actor=cast.engineer_chen, source="web",
                    body="我们正在排查，请稍候", public=True)
    actions.add_attachment(incident, actor=cast.engineer_chen, source="web", public=False,
                           upload=SimpleUploadedFile("内部日志.txt", b"secret"))
    actions.add_attachment(incident, actor=cast.engineer_chen, source="web", public=True,
                           upload=SimpleUploadedFile("操作指引.txt", b"steps"))
    page = without_csrf_tokens(
        as_user(cast.requester_zhao).get(ticket_url(incident)).content.decode())
    assert "我们正在排查，请稍候" in page and "操作指引.txt" in page
    for hidden in ("内部：怀疑是存储阵列问题", "内部日志.txt", "VIP 客户，内部提级",
                   cast.l2.name, "P2"):
        assert hidden not in page, hidden
    internal = incident.attachments.get(public=False)
    response = as_user(cast.requester_zhao).get(
        reverse("portal:attachment", args=[incident.number, internal.pk]))
    assert response.status_code == 404


def test_the_ticket_shows_when_it_is_expected_to_be_resolved(cast, desk, as_user):
    incident = desk.in_progress()
    page = as_user(cast.requester_zhao).get(ticket_url(incident))
    assert incident.resolve_due_at is not None
    assert page.context["expected_by"] == incident.resolve_due_at
    assert "expected by" in page.content.decode()


def test_a_requester_logging_in_lands_in_the_portal_and_staff_in_the_console(cast, client):
    response = client.post(reverse("login"), {"username": "requester_zhao",
                                               "password": "pw-requester_zhao"})
    assert response.url == reverse("portal:home")
    assert client.get("/").url == reverse("portal:home")
    client.logout()
    response = client.post(reverse("login"), {"username": "agent_li",
                                               "password": "pw-agent_li"})
    assert response.url == reverse("incidents:queue")
    assert client.get(reverse("portal:home")).url == reverse("incidents:queue")


def test_a_requester_in_the_console_is_pointed_to_the_portal(cast, as_user):
    incident = cast.log()
    client = as_user(cast.requester_zhao)
    page = client.get(reverse("incidents:detail", args=[incident.number]))
    assert page.status_code == 403
    assert f'href="{ticket_url(incident)}"' in page.content.decode()
    page = client.get(reverse("incidents:queue"))
    assert f'href="{reverse("portal:home")}"' in page.content.decode()


def test_the_portal_needs_a_login(cast, client):
    incident = cast.log()
    for url in (reverse("portal:home"), reverse("portal:submit"), ticket_url(incident)):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url
