"""The admin lists what came in and hands out the original message as a
download, to administrators only."""

from opsdesk.core.models import User
from opsdesk.mail.ingest import ingest
from opsdesk.mail.models import InboundMessage

from .conftest import mail


def test_an_administrator_downloads_the_raw_message(cast, mailbox, client):
    raw = mail()
    ingest(mailbox, raw)
    inbound = InboundMessage.objects.get()
    client.force_login(User.objects.create_superuser("admin", "admin@example.com", "pw"))

    listing = client.get("/admin/mail/inboundmessage/")
    page = client.get(f"/admin/mail/inboundmessage/{inbound.pk}/change/")
    download = client.get(f"/admin/mail/inboundmessage/{inbound.pk}/raw/")

    assert listing.status_code == 200 and "打印机无法打印" in listing.content.decode()
    assert page.status_code == 200 and f"/{inbound.pk}/raw/" in page.content.decode()
    assert download.status_code == 200
    assert download.content == raw
    assert download["Content-Type"] == "application/octet-stream"
    assert "attachment" in download["Content-Disposition"]


def test_staff_without_admin_rights_cannot_download(cast, mailbox, client):
    ingest(mailbox, mail())
    inbound = InboundMessage.objects.get()
    client.force_login(cast.agent_li)

    response = client.get(f"/admin/mail/inboundmessage/{inbound.pk}/raw/")

    assert response.status_code == 302  # to the admin login: not staff
    assert "/admin/login/" in response["Location"]
