import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from opsdesk.incidents.models import Attachment


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_an_agent_attaches_a_file_from_the_incident_page(cast, as_user):
    incident = cast.log()
    client = as_user(cast.agent_li)
    page = client.get(incident.get_absolute_url()).content.decode()
    assert 'data-testid="attach-form"' in page
    response = client.post(reverse("incidents:attach", args=[incident.number]),
                           {"file": SimpleUploadedFile("error.log", b"ORA-01555")})
    assert response.status_code == 302
    page = client.get(incident.get_absolute_url()).content.decode()
    assert "error.log" in page
    attachment = Attachment.objects.get()
    download = client.get(reverse("incidents:attachment", args=[incident.number, attachment.pk]))
    assert b"".join(download.streaming_content) == b"ORA-01555"
    assert attachment.public is False  # the box was not ticked


def test_submitting_without_a_file_shows_the_error(cast, as_user):
    incident = cast.log()
    client = as_user(cast.agent_li)
    response = client.post(reverse("incidents:attach", args=[incident.number]), {})
    assert response.status_code == 422
    assert 'data-testid="attachment-error"' in response.content.decode()
    assert not Attachment.objects.exists()
