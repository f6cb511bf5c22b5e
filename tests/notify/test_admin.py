"""The admin: targets with a write-only secret, the outbox with its attempts,
and the retry action for dead notifications."""

import pytest
from django.contrib.admin.models import LogEntry
from django.db import transaction
from django.urls import reverse

from opsdesk.core import outbox
from opsdesk.core.models import NotificationTarget, User

from .conftest import deliver_all


@pytest.fixture
def admin_client(client, cast):
    client.force_login(User.objects.create_superuser("root", "root@example.cn", "pw"))
    return client


def test_a_target_secret_is_never_shown_and_kept_when_left_empty(admin_client):
    robot = NotificationTarget.objects.create(
        name="钉钉值班群", kind="dingtalk", url="https://oapi.dingtalk.com/robot/send",
        secret="SEC0123456789abcdef")
    change_url = reverse("admin:core_notificationtarget_change", args=[robot.pk])

    page = admin_client.get(change_url).content.decode()
    listing = admin_client.get(reverse("admin:core_notificationtarget_changelist"))

    assert "SEC0123456789abcdef" not in page
    assert "SEC0123456789abcdef" not in listing.content.decode()
    assert "…cdef" in listing.content.decode()
    form = {"name": "钉钉值班群", "kind": "dingtalk", "url": robot.url, "secret": "",
            "address": "", "language": "", "enabled": "on"}
    assert admin_client.post(change_url, form).status_code == 302
    robot.refresh_from_db()
    assert robot.secret == "SEC0123456789abcdef"
    assert admin_client.post(change_url, {**form, "secret": "SECnew"}).status_code == 302
    robot.refresh_from_db()
    assert robot.secret == "SECnew"


def test_dead_notifications_are_listed_with_their_attempts_and_can_be_retried(
        admin_client, cast):
    hook = NotificationTarget.objects.create(name="hook", kind="webhook",
                                             url="http://127.0.0.1:9/")
    incident = cast.log()
    with transaction.atomic():
        [dead] = outbox.enqueue(incident, event="escalated", recipients=[hook],
                                context={"incident": incident, "reason": "—"})
        [delivered] = outbox.enqueue(incident, event="assigned",
                                     recipients=[cast.engineer_chen],
                                     context={"incident": incident})
    NotificationTarget.objects.filter(pk=hook.pk).update(enabled=False)
    deliver_all()
    changelist = reverse("admin:core_notification_changelist")

    listing = admin_client.get(changelist, {"status__exact": "dead"}).content.decode()
    detail = admin_client.get(
        reverse("admin:core_notification_change", args=[dead.pk])).content.decode()

    assert reverse("admin:core_notification_change", args=[dead.pk]) in listing
    assert reverse("admin:core_notification_change", args=[delivered.pk]) not in listing
    assert "the notification target “hook” is disabled" in detail
    response = admin_client.post(changelist, {
        "action": "retry_dead", "_selected_action": [dead.pk, delivered.pk]})
    assert response.status_code == 302
    dead.refresh_from_db()
    delivered.refresh_from_db()
    assert (dead.status, dead.attempts) == ("pending", 0)
    assert delivered.status == "delivered"
    assert LogEntry.objects.get().object_id == str(dead.pk)


def test_notifications_cannot_be_added_edited_or_deleted_in_the_admin(admin_client, cast):
    incident = cast.log()
    with transaction.atomic():
        [row] = outbox.enqueue(incident, event="assigned", recipients=[cast.engineer_chen],
                               context={"incident": incident})

    assert admin_client.get(reverse("admin:core_notification_add")).status_code == 403
    change = reverse("admin:core_notification_change", args=[row.pk])
    assert admin_client.post(change, {"status": "delivered"}).status_code == 403
    delete = reverse("admin:core_notification_delete", args=[row.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    row.refresh_from_db()
    assert row.status == "pending"
