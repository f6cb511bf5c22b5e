"""Files with a notification: e-mail rows carry them as MIME parts (a
Chinese name encoded per RFC 2231), stored once per message however many
receive it, never sent over SMS or robots, left out above the size cap, and
removed with the last notification that carries them."""

import pytest
from django.db import transaction
from django.urls import reverse

from opsdesk.core import outbox
from opsdesk.core.models import Notification, NotificationFile, NotificationPreference, User

from .conftest import deliver_all
from .test_channels import _target

SCREENSHOT = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8  # every byte value
LOG = "2026-11-23 09:58:01 登录超时 user=zhao\n".encode()
FILES = [outbox.Attachment("网银登录截图 2026-11-23.png", "image/png", SCREENSHOT),
         outbox.Attachment("app.log", "application/octet-stream", LOG)]
TOTAL = len(SCREENSHOT) + len(LOG)
AS_RECEIVED = [("网银登录截图 2026-11-23.png", "image/png", SCREENSHOT),
               ("app.log", "application/octet-stream", LOG)]


def _queue(cast, recipients, files=FILES) -> list[Notification]:
    incident = cast.log()
    with transaction.atomic():
        return outbox.enqueue(incident, event="escalated", recipients=recipients,
                              context={"incident": incident, "reason": "客户发来截图"},
                              attachments=files)


def _files_of(mail) -> list[tuple[str, str, bytes]]:
    return [(part.get_filename(), part.get_content_type(), part.get_payload(decode=True))
            for part in mail.iter_attachments()]


def test_a_mail_carries_the_files_and_a_chinese_name_survives(cast, smtp_server):
    [row] = _queue(cast, [cast.engineer_chen])

    assert deliver_all() == 1

    [mail] = smtp_server.messages
    assert mail.get_content_type() == "multipart/mixed"
    assert _files_of(mail) == AS_RECEIVED
    screenshot = next(mail.iter_attachments())
    disposition = dict(screenshot.raw_items())["Content-Disposition"]
    assert "filename*=utf-8''%E7%BD%91%E9%93%B6" in disposition  # RFC 2231, as received
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert "原因：客户发来截图" in body and row.link in body


def test_the_files_are_stored_once_for_all_recipients_of_a_message(cast, smtp_server):
    rows = _queue(cast, [cast.engineer_chen, cast.lead_wang, cast.l2_colleague_sun])

    assert len(rows) == 3
    assert NotificationFile.objects.count() == 2
    for row in rows:
        assert [(file.name, file.size) for file in row.attachments.all()] == [
            ("网银登录截图 2026-11-23.png", len(SCREENSHOT)), ("app.log", len(LOG))]
    assert deliver_all() == 3
    assert [_files_of(mail) for mail in smtp_server.messages] == [AS_RECEIVED] * 3


def test_sms_and_robots_get_the_text_and_link_but_no_file(cast, smtp_server, http_recorder):
    gateway = _target(http_recorder, "sms", "/sms/send")
    robot = _target(http_recorder, "wecom", "/cgi-bin/webhook/send?key=k-1")
    chen = cast.engineer_chen
    chen.phone = "13800000001"
    NotificationPreference.objects.bulk_create([
        NotificationPreference(user=chen, channel="sms", target=gateway),
        NotificationPreference(user=chen, channel="wecom", target=robot)])

    rows = _queue(cast, [chen])

    by_channel = {row.channel: row for row in rows}
    assert sorted(by_channel) == ["email", "sms", "wecom"]
    assert by_channel["email"].attachments.count() == 2
    assert not by_channel["sms"].attachments.exists()
    assert not by_channel["wecom"].attachments.exists()
    assert deliver_all() == 3
    assert _files_of(smtp_server.messages[0]) == AS_RECEIVED
    assert len(http_recorder.requests) == 2
    for request in http_recorder.requests:
        text = request.body.decode()
        assert by_channel["sms"].link in text
        assert "网银登录截图" not in text and len(request.body) < len(SCREENSHOT)


def test_files_up_to_the_cap_are_attached(cast, settings, smtp_server):
    settings.OPSDESK_MAIL_ATTACHMENT_MAX_BYTES = TOTAL

    _queue(cast, [cast.engineer_chen])

    assert deliver_all() == 1
    assert _files_of(smtp_server.messages[0]) == AS_RECEIVED


def test_files_over_the_cap_are_left_out_and_the_mail_still_goes(cast, settings, smtp_server,
                                                                 caplog):
    settings.OPSDESK_MAIL_ATTACHMENT_MAX_BYTES = TOTAL - 1

    [row] = _queue(cast, [cast.engineer_chen])

    assert not NotificationFile.objects.exists()
    assert "not attaching 网银登录截图 2026-11-23.png, app.log" in caplog.text
    assert deliver_all() == 1
    [mail] = smtp_server.messages
    assert not mail.is_multipart()
    assert row.link in mail.get_content()


def test_without_attachments_nothing_is_stored_and_the_mail_is_plain(cast, smtp_server):
    _queue(cast, [cast.engineer_chen], files=())

    assert not NotificationFile.objects.exists()
    assert deliver_all() == 1
    assert not smtp_server.messages[0].is_multipart()


def test_files_queued_in_a_transaction_that_rolls_back_are_gone(cast):
    incident = cast.log()

    with pytest.raises(RuntimeError, match="the action failed"), transaction.atomic():
        outbox.enqueue(incident, event="escalated", recipients=[cast.engineer_chen],
                       context={"incident": incident, "reason": "回滚"}, attachments=FILES)
        assert NotificationFile.objects.count() == 2
        raise RuntimeError("the action failed")

    assert not NotificationFile.objects.exists()


def test_a_file_goes_with_the_last_notification_that_carries_it(cast):
    first, second = _queue(cast, [cast.engineer_chen, cast.lead_wang])
    [other] = _queue(cast, [cast.engineer_chen], files=FILES[:1])
    assert NotificationFile.objects.count() == 3

    first.delete()
    assert NotificationFile.objects.count() == 3  # the other recipient's mail still needs them

    Notification.objects.filter(pk=second.pk).delete()
    assert list(NotificationFile.objects.values_list("name", flat=True)) == [
        "网银登录截图 2026-11-23.png"]
    assert list(other.attachments.values_list("name", flat=True)) == [
        "网银登录截图 2026-11-23.png"]


def test_the_admin_shows_the_files_and_changes_nothing(cast, client):
    [row] = _queue(cast, [cast.engineer_chen])
    client.force_login(User.objects.create_superuser("root", "root@example.cn", "pw"))
    file = row.attachments.first()

    listing = client.get(reverse("admin:core_notificationfile_changelist")).content.decode()
    notification = client.get(reverse("admin:core_notification_change", args=[row.pk]))

    assert "网银登录截图 2026-11-23.png" in listing and "app.log" in listing
    assert "网银登录截图 2026-11-23.png" in notification.content.decode()
    change_url = reverse("admin:core_notificationfile_change", args=[file.pk])
    assert client.post(change_url, {"name": "x.png"}).status_code == 403
    assert client.post(reverse("admin:core_notificationfile_delete", args=[file.pk]),
                       {"post": "yes"}).status_code == 403
    file.refresh_from_db()
    assert file.name == "网银登录截图 2026-11-23.png"
