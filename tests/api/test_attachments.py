"""Attachments (INC-02): upload, list and download through the API, with the
same visibility rules as the timeline."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from opsdesk.core.models import ApiToken
from opsdesk.incidents.models import Attachment

from .conftest import BASE, assert_error, closed, written


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def client_for(user):
    return Client(HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(user)[1]}")


def upload(user, incident, content=b"disk usage 97%\n", name="df-h.txt", **fields):
    return client_for(user).post(
        f"{BASE}/incidents/{incident.number}/attachments",
        {"file": SimpleUploadedFile(name, content, "text/plain"), **fields},
    )


def test_an_agent_attaches_a_file_and_it_can_be_downloaded(cast):
    incident = cast.log()
    response = upload(cast.agent_li, incident, name="磁盘截图.txt")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "磁盘截图.txt" and body["size"] == 15 and body["public"] is True
    listed = client_for(cast.agent_li).get(f"{BASE}/incidents/{incident.number}/attachments")
    assert [a["name"] for a in listed.json()] == ["磁盘截图.txt"]
    download = client_for(cast.engineer_chen).get(body["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"disk usage 97%\n"
    assert download["Content-Disposition"].startswith("attachment;")
    kinds = list(incident_events(incident))
    assert kinds[-1] == ("attachment_added", "磁盘截图.txt", True)


def incident_events(incident):
    from opsdesk.core import timeline

    return ((e.kind, e.note, e.public) for e in timeline.events_of(incident))


def test_internal_files_are_hidden_from_the_requester(cast):
    incident = cast.log()
    upload(cast.agent_li, incident, name="internal-notes.txt", public="false")
    upload(cast.agent_li, incident, name="for-customer.txt")
    as_requester = client_for(cast.requester_zhao)
    listed = as_requester.get(f"{BASE}/incidents/{incident.number}/attachments").json()
    assert [a["name"] for a in listed] == ["for-customer.txt"]
    internal = Attachment.objects.get(name="internal-notes.txt")
    response = as_requester.get(f"{BASE}/incidents/{incident.number}/attachments/{internal.pk}")
    assert_error(response, 404, "not_found")


def test_a_requesters_own_files_are_always_public(cast):
    incident = cast.log()
    response = upload(cast.requester_zhao, incident, public="false")
    assert response.status_code == 201 and response.json()["public"] is True


def test_another_customers_requester_may_not_see_or_add_files(cast):
    incident = cast.log()
    assert_error(upload(cast.outsider, incident), 403, "forbidden")
    response = client_for(cast.outsider).get(f"{BASE}/incidents/{incident.number}/attachments")
    assert_error(response, 403, "forbidden")


def test_an_empty_or_oversized_file_is_refused_and_nothing_is_written(cast, settings):
    incident = cast.log()
    settings.OPSDESK_MAX_ATTACHMENT_MB = 1
    before = written(), Attachment.objects.count()
    assert_error(upload(cast.agent_li, incident, content=b""), 422, "invalid", ["file"])
    big = b"x" * (1024 * 1024 + 1)
    assert_error(upload(cast.agent_li, incident, content=big), 422, "invalid", ["file"])
    assert (written(), Attachment.objects.count()) == before


def test_a_closed_incident_takes_no_more_files(cast):
    incident = closed(cast)
    assert_error(upload(cast.agent_li, incident), 409, "incident_closed")


def test_uploading_needs_authentication(cast):
    incident = cast.log()
    response = Client().post(f"{BASE}/incidents/{incident.number}/attachments",
                             {"file": SimpleUploadedFile("a.txt", b"a")})
    assert_error(response, 401, "not_authenticated")


def test_a_path_in_the_file_name_is_dropped(cast):
    incident = cast.log()
    response = upload(cast.agent_li, incident, name="../../etc/passwd")
    assert response.json()["name"] == "passwd"
    stored = Attachment.objects.get()
    assert stored.file.name.startswith(f"incidents/{incident.number}/")
