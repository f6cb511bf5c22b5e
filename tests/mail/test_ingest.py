"""A mail to the service desk becomes exactly one incident, is answered once,
and nothing that looks like a loop is ever answered."""

from datetime import timedelta

import pytest
from django.utils import translation

from opsdesk.core.models import Notification, User
from opsdesk.incidents.models import Incident
from opsdesk.mail import ingest as intake
from opsdesk.mail.ingest import ROBOT_USERNAME, ProcessStoredMail, ingest
from opsdesk.mail.models import FailingAddress, InboundMessage, Outcome

from .conftest import DESK_ADDRESS, bounce_of, mail


def acknowledgements() -> list[Notification]:
    return list(Notification.objects.filter(event="mail_received").order_by("id"))


def test_a_mail_from_an_unknown_sender_opens_an_assigned_incident_and_is_answered(
        cast, mailbox):
    inbound = ingest(mailbox, mail())

    incident = Incident.objects.get()
    assert (inbound.outcome, inbound.incident) == (Outcome.CREATED, incident)
    assert inbound.sender == "wang.jianguo@customer.example.com"
    assert (incident.channel, incident.kind, incident.impact, incident.urgency) == (
        "email", "fault", "medium", "medium")
    assert incident.title == "打印机无法打印"
    assert "三楼的打印机" in incident.description
    assert (incident.reporter_name, incident.reporter_email) == (
        "王建国", "wang.jianguo@customer.example.com")
    assert incident.requester is None
    assert (incident.team, incident.status, incident.category) == (
        cast.desk, "assigned", cast.category)
    assert incident.created_by.username == ROBOT_USERNAME
    [answer] = acknowledgements()
    assert answer.address == "wang.jianguo@customer.example.com"
    assert (answer.subject_type, answer.subject_id) == ("incident", incident.pk)
    assert incident.number in answer.body


def test_a_known_requester_becomes_the_requester_with_their_customer(cast, mailbox):
    ingest(mailbox, mail(sender="赵敏 <Requester_Zhao@Example.com>"))

    incident = Incident.objects.get()
    assert incident.requester == cast.requester_zhao
    assert incident.customer == cast.customer and incident.is_vip
    assert incident.created_by == cast.requester_zhao
    [answer] = acknowledgements()
    assert answer.recipient == cast.requester_zhao


def test_the_mailbox_default_customer_and_priority_apply_to_unknown_senders(cast, mailbox):
    mailbox.customer, mailbox.impact, mailbox.urgency = cast.other_customer, "high", "high"
    mailbox.save()

    ingest(mailbox, mail())

    incident = Incident.objects.get()
    assert (incident.customer, incident.impact, incident.urgency, incident.priority) == (
        cast.other_customer, "high", "high", 2)


def test_the_same_mail_twice_makes_one_incident_and_one_answer(cast, mailbox):
    first = ingest(mailbox, mail())
    again = ingest(mailbox, mail())

    assert again.pk == first.pk and again.outcome == Outcome.CREATED
    assert Incident.objects.count() == 1
    assert InboundMessage.objects.count() == 1
    assert len(acknowledgements()) == 1


def test_a_mail_without_message_id_is_recognised_by_its_bytes(cast, mailbox):
    raw = mail(message_id=None)
    ingest(mailbox, raw)
    ingest(mailbox, raw)
    ingest(mailbox, mail(message_id=None, body="另一封信"))

    assert Incident.objects.count() == 2
    assert all(key.startswith("<sha256-") for key in
               InboundMessage.objects.values_list("message_id", flat=True))


def test_attachments_are_added_to_the_incident(cast, mailbox):
    ingest(mailbox, mail(attachments=[("报错截图.png", "image/png", b"\x89PNG fake image"),
                                      ("日志.txt", "text/plain", "错误 500".encode())]))

    incident = Incident.objects.get()
    names = sorted(incident.attachments.values_list("name", flat=True))
    assert len(names) == 2 and names[0].endswith(".png") and names[1].endswith(".txt")
    assert all(a.uploaded_by.username == ROBOT_USERNAME for a in incident.attachments.all())


def test_an_empty_subject_still_makes_a_titled_incident(cast, mailbox):
    with translation.override("en"):
        ingest(mailbox, mail(subject=""))

    assert Incident.objects.get().title == "(no subject)"


@pytest.mark.parametrize("headers", [
    {"Auto-Submitted": "auto-replied"},
    {"Precedence": "bulk"},
    {"X-Autoreply": "yes"},
])
def test_auto_replies_and_bulk_mail_are_recorded_but_never_answered(cast, mailbox, headers):
    inbound = ingest(mailbox, mail(subject="Out of office / 外出", headers=headers))

    assert inbound.outcome == Outcome.NOISE
    assert inbound.note
    assert Incident.objects.count() == 0
    assert Notification.objects.count() == 0


def test_our_own_notification_coming_back_is_noise(cast, mailbox):
    incident = cast.log()
    own_id = f"<{incident.number}.0123456789abcdef@ops.example.cn>"

    inbound = ingest(mailbox, mail(message_id=own_id, sender="OpsDesk <someone@elsewhere.cn>"))

    assert inbound.outcome == Outcome.NOISE
    assert Incident.objects.count() == 1


def test_mail_from_our_own_address_is_noise(cast, mailbox):
    inbound = ingest(mailbox, mail(sender=f"Desk <{DESK_ADDRESS}>"))

    assert inbound.outcome == Outcome.NOISE
    assert Incident.objects.count() == 0


def test_a_bounce_of_our_notification_marks_the_address_failing(cast, mailbox):
    ingest(mailbox, mail())
    [answer] = acknowledgements()

    inbound = ingest(mailbox, bounce_of(answer.message_id, answer.address))

    assert inbound.outcome == Outcome.BOUNCE
    assert Incident.objects.count() == 1
    failing = FailingAddress.objects.get()
    assert (failing.address, failing.notification, failing.bounces) == (
        "wang.jianguo@customer.example.com", answer, 1)
    assert answer.address in inbound.note
    assert Notification.objects.count() == 1  # the bounce is never answered


def test_a_bounce_of_someone_elses_mail_marks_nothing(cast, mailbox):
    inbound = ingest(mailbox, bounce_of("<abc@other.example.com>", "x@customer.example.com"))

    assert inbound.outcome == Outcome.BOUNCE
    assert not FailingAddress.objects.exists()


def test_a_mail_from_a_failing_address_clears_it(cast, mailbox):
    ingest(mailbox, mail())
    [answer] = acknowledgements()
    ingest(mailbox, bounce_of(answer.message_id, answer.address))

    ingest(mailbox, mail(message_id="<m2@customer.example.com>", subject="我又来了"))

    assert not FailingAddress.objects.exists()


def test_a_sender_over_the_hourly_limit_is_recorded_unanswered(cast, mailbox, settings, frozen):
    settings.OPSDESK_MAIL_RATE_PER_HOUR = 3
    outcomes = [ingest(mailbox, mail(message_id=f"<m{n}@customer.example.com>",
                                     subject=f"问题 {n}")).outcome for n in range(5)]

    assert outcomes == ["created"] * 3 + ["rate_limited"] * 2
    assert Incident.objects.count() == 3
    assert len(acknowledgements()) == 3
    frozen.shift(timedelta(minutes=61))
    assert ingest(mailbox, mail(message_id="<later@customer.example.com>")).outcome == "created"


def test_other_senders_are_not_limited_by_one_noisy_sender(cast, mailbox, settings):
    settings.OPSDESK_MAIL_RATE_PER_HOUR = 1
    ingest(mailbox, mail(message_id="<a@x>"))
    ingest(mailbox, mail(message_id="<b@x>"))

    other = ingest(mailbox, mail(message_id="<c@x>", sender="lin@customer.example.com"))

    assert other.outcome == Outcome.CREATED


def test_a_mail_larger_than_the_limit_keeps_only_its_headers(cast, mailbox, settings):
    settings.OPSDESK_MAIL_MAX_MB = 1
    raw = mail(attachments=[("big.bin", "application/octet-stream", b"x" * 1_200_000)])

    inbound = ingest(mailbox, raw)

    assert inbound.outcome == Outcome.REJECTED
    assert len(InboundMessage.objects.get().raw) == intake.HEADER_BYTES
    assert Incident.objects.count() == 0


def test_an_inactive_mailbox_rejects_mail(cast, mailbox):
    mailbox.active = False
    mailbox.save()

    assert ingest(mailbox, mail()).outcome == Outcome.REJECTED
    assert Incident.objects.count() == 0


def test_the_raw_mail_is_kept_byte_for_byte(cast, mailbox):
    raw = mail(body="原文 ümlaut\r\n> 引用")

    ingest(mailbox, raw)

    assert bytes(InboundMessage.objects.get().raw) == raw


def test_one_mail_robot_acts_for_every_mailbox(cast, mailbox):
    ingest(mailbox, mail(message_id="<1@x>"))
    ingest(mailbox, mail(message_id="<2@x>"))

    robot = User.objects.get(username=ROBOT_USERNAME)
    assert not robot.has_usable_password() and robot.email == ""


class Killed(BaseException):
    """The process died here (BaseException: no handler catches it)."""


def test_a_crash_after_the_incident_is_made_is_finished_without_a_second_one(
        cast, mailbox, monkeypatch, frozen, settings):
    original_finish = intake._finish

    def die(*args, **kwargs):
        raise Killed()

    monkeypatch.setattr(intake, "_finish", die)
    with pytest.raises(Killed):
        ingest(mailbox, mail())
    assert Incident.objects.count() == 1
    assert InboundMessage.objects.get().outcome == Outcome.RECEIVED
    monkeypatch.setattr(intake, "_finish", original_finish)

    # A re-delivery while the lease runs changes nothing; the worker finishes it after.
    assert ingest(mailbox, mail()).outcome == Outcome.RECEIVED
    assert ProcessStoredMail().handle_one() is False
    frozen.shift(timedelta(seconds=settings.OPSDESK_MAIL_LEASE_SECONDS + 1))
    assert ProcessStoredMail().handle_one() is True

    inbound = InboundMessage.objects.get()
    assert (inbound.outcome, inbound.incident) == (Outcome.CREATED, Incident.objects.get())
    assert (inbound.attempts, len(acknowledgements())) == (2, 1)
    assert ProcessStoredMail().handle_one() is False


def test_an_unexpected_error_is_retried_then_marked_failed(cast, mailbox, monkeypatch, frozen,
                                                           settings):
    settings.OPSDESK_MAIL_MAX_ATTEMPTS = 2

    def broken(*args, **kwargs):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(intake.threading, "find_incident", broken)
    assert ingest(mailbox, mail()).outcome == Outcome.RECEIVED
    frozen.shift(timedelta(seconds=settings.OPSDESK_MAIL_LEASE_SECONDS + 1))
    assert ProcessStoredMail().handle_one() is True

    inbound = InboundMessage.objects.get()
    assert inbound.outcome == Outcome.FAILED
    assert "database hiccup" in inbound.note
    assert Incident.objects.count() == 0
