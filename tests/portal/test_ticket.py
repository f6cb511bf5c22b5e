"""The requester's ticket page: the public timeline, comments, attachments,
and answering a resolution (INC-15)."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from opsdesk.core import timeline
from opsdesk.incidents.models import Incident

from ..incidents.helpers import fresh


def act_url(incident, action):
    return reverse("portal:act", args=[incident.number, action])


def test_the_requester_comments_publicly(cast, desk, as_user):
    incident = desk.in_progress()
    client = as_user(cast.requester_zhao)
    response = client.post(act_url(incident, "comment"),
                           {"version": incident.version, "body": "今天上午又出现了两次"})
    assert response.status_code == 302
    event = list(timeline.events_of(incident))[-1]
    assert (event.kind, event.actor, event.source, event.public, event.note) == (
        "comment", cast.requester_zhao, "portal", True, "今天上午又出现了两次")
    page = client.get(response.url).content.decode()
    assert "今天上午又出现了两次" in page


def test_an_empty_comment_is_refused_with_a_clear_error(cast, desk, as_user):
    incident = desk.in_progress()
    before = len(timeline.events_of(incident))
    response = as_user(cast.requester_zhao).post(act_url(incident, "comment"),
                                                 {"version": incident.version, "body": " "})
    assert response.status_code == 422
    assert response.context["comment_form"].errors["body"] == ["This field is required."]
    assert len(timeline.events_of(incident)) == before


def test_the_requester_adds_a_file_to_an_open_ticket(cast, desk, as_user):
    incident = desk.in_progress()
    response = as_user(cast.requester_zhao).post(
        reverse("portal:attach", args=[incident.number]),
        {"file": SimpleUploadedFile("现场照片.jpg", b"jpeg")})
    assert response.status_code == 302
    attachment = incident.attachments.get()
    assert (attachment.name, attachment.public, attachment.uploaded_by) == (
        "现场照片.jpg", True, cast.requester_zhao)
    download = as_user(cast.requester_zhao).get(
        reverse("portal:attachment", args=[incident.number, attachment.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"jpeg"


def test_the_requester_confirms_the_resolution(cast, desk, as_user):
    incident = desk.resolved()
    client = as_user(cast.requester_zhao)
    page = client.get(reverse("portal:ticket", args=[incident.number]))
    assert "更换了故障磁盘" in page.content.decode()
    assert page.context["solved_form"] is not None and page.context["comment_form"] is not None
    response = client.post(act_url(incident, "confirm"),
                           {"version": incident.version, "note": "已恢复，谢谢"})
    assert response.status_code == 302
    incident = fresh(incident)
    assert (incident.status, incident.closure_code) == ("closed", "successful")
    event = list(timeline.events_of(incident))[-1]
    assert (event.kind, event.actor, event.source, event.note) == (
        "confirmed", cast.requester_zhao, "portal", "已恢复，谢谢")


def test_rejecting_closes_as_unsuccessful_and_shows_the_copy(cast, desk, as_user):
    incident = desk.resolved()
    client = as_user(cast.requester_zhao)
    response = client.post(act_url(incident, "reject"),
                           {"version": incident.version, "reason": "登录仍然需要一分钟"})
    copy = Incident.objects.get(copied_from=incident)
    assert response.status_code == 302
    assert response.url == reverse("portal:ticket", args=[copy.number])
    incident = fresh(incident)
    assert (incident.status, incident.closure_code) == ("closed", "unsuccessful")
    assert (copy.status, copy.assignee, copy.requester) == (
        "assigned", cast.engineer_chen, cast.requester_zhao)
    page = client.get(response.url)
    assert page.context["copied_from"] == incident
    assert reverse("portal:ticket", args=[incident.number]) in page.content.decode()
    old_page = client.get(reverse("portal:ticket", args=[incident.number]))
    assert old_page.context["copy"] == copy
    assert reverse("portal:ticket", args=[copy.number]) in old_page.content.decode()
    assert old_page.context["comment_form"] is None and old_page.context["solved_form"] is None


def test_a_rejection_needs_a_reason(cast, desk, as_user):
    incident = desk.resolved()
    response = as_user(cast.requester_zhao).post(act_url(incident, "reject"),
                                                 {"version": incident.version, "reason": ""})
    assert response.status_code == 422
    assert response.context["not_solved_form"].errors["reason"] == ["This field is required."]
    assert fresh(incident).status == "resolved"
    assert not Incident.objects.filter(copied_from=incident).exists()


def test_a_stale_page_is_refused_and_changes_nothing(cast, desk, as_user):
    incident = desk.resolved()
    response = as_user(cast.requester_zhao).post(act_url(incident, "confirm"),
                                                 {"version": incident.version - 1})
    assert response.status_code == 409
    assert "changed by someone else" in response.content.decode()
    assert fresh(incident).status == "resolved"


def test_staff_actions_are_not_offered_and_unknown_actions_are_404(cast, desk, as_user):
    incident = desk.in_progress()
    client = as_user(cast.requester_zhao)
    assert client.post(act_url(incident, "resolve"), {"version": 1}).status_code == 404
    assert client.post(act_url(incident, "nonsense"), {"version": 1}).status_code == 404
    page = client.get(reverse("portal:ticket", args=[incident.number]))
    assert page.context["solved_form"] is None and page.context["not_solved_form"] is None


def test_closed_and_open_tickets_are_on_their_tabs(cast, desk, as_user):
    closed = desk.closed()
    open_one = cast.log(title="打印机卡纸")
    client = as_user(cast.requester_zhao)
    page = client.get(reverse("portal:home"))
    assert [row.number for row in page.context["page"].items] == [open_one.number]
    assert page.context["counts"] == {"open": 1, "closed": 1}
    page = client.get(reverse("portal:home"), {"tab": "closed"})
    assert [row.number for row in page.context["page"].items] == [closed.number]
    assert client.get(reverse("portal:home"), {"tab": "all"}).status_code == 404
