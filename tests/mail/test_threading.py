"""Replies join their ticket by our Message-IDs, or by the subject tag when a
participant writes; a reply to a closed ticket opens a linked new one."""

from django.utils import translation

from opsdesk.core import clock, timeline
from opsdesk.core.models import Notification
from opsdesk.incidents import actions
from opsdesk.incidents.models import Incident
from opsdesk.mail.ingest import ROBOT_USERNAME, ingest
from opsdesk.mail.models import Outcome

from .conftest import mail

CUSTOMER = "王建国 <wang.jianguo@customer.example.com>"


def comments(incident) -> list:
    return [event for event in timeline.events_of(incident) if event.kind == "comment"]


def opened_by_mail(mailbox) -> tuple[Incident, Notification]:
    ingest(mailbox, mail(sender=CUSTOMER))
    answer = Notification.objects.get(event="mail_received")
    return Incident.objects.get(), answer


def test_a_reply_to_our_answer_is_a_public_comment_naming_the_sender(cast, mailbox):
    incident, answer = opened_by_mail(mailbox)

    inbound = ingest(mailbox, mail(
        sender=CUSTOMER, subject=f"Re: [{incident.number}] 打印机无法打印",
        message_id="<r1@customer.example.com>", in_reply_to=answer.message_id,
        body="型号是 HP M404。\n\n> 我们已收到您的邮件\n> 旧的内容"))

    assert (inbound.outcome, inbound.incident) == (Outcome.COMMENTED, incident)
    assert Incident.objects.count() == 1
    [comment] = comments(incident)
    assert comment.public and comment.actor.username == ROBOT_USERNAME
    assert "wang.jianguo@customer.example.com" in comment.note
    assert "型号是 HP M404。" in comment.note
    assert "旧的内容" not in comment.note  # quoted text stays only in the stored original
    incident.refresh_from_db()
    assert incident.responded_at is None  # the customer's own mail is no answer from the desk
    assert not Notification.objects.filter(event="public_comment").exists()  # no echo


def test_a_reply_by_the_thread_id_in_references_joins_without_a_tag(cast, mailbox):
    incident = cast.log()

    inbound = ingest(mailbox, mail(
        sender="赵敏 <requester_zhao@example.com>", subject="回复：关于网银",
        references=f"<other@x.cn> <incident-{incident.number}@ops.example.cn>"))

    assert inbound.incident == incident
    [comment] = comments(incident)
    assert comment.actor == cast.requester_zhao and comment.public


def test_a_message_id_of_another_domain_does_not_thread(cast, mailbox):
    incident = cast.log()

    inbound = ingest(mailbox, mail(in_reply_to=f"<incident-{incident.number}@evil.example>"))

    assert inbound.outcome == Outcome.CREATED and inbound.incident != incident


def test_a_made_up_notification_id_does_not_thread(cast, mailbox):
    incident = cast.log()

    inbound = ingest(mailbox, mail(
        in_reply_to=f"<{incident.number}.0123456789abcdef@ops.example.cn>"))

    assert inbound.incident != incident


def test_the_subject_tag_joins_when_the_reporter_writes(cast, mailbox):
    incident = cast.log(requester=None, reporter_email="wang.jianguo@customer.example.com")

    inbound = ingest(mailbox, mail(subject=f"补充 [{incident.number}]", body="补充一下截图"))

    assert inbound.incident == incident
    assert comments(incident)[0].note.endswith("补充一下截图")


def test_the_subject_tag_from_a_stranger_opens_a_new_incident(cast, mailbox):
    incident = cast.log()

    inbound = ingest(mailbox, mail(sender="stranger@elsewhere.example",
                                   subject=f"Re: [{incident.number}] 网银系统登录缓慢"))

    assert inbound.outcome == Outcome.CREATED
    assert inbound.incident != incident
    assert inbound.incident.title == "网银系统登录缓慢"
    assert comments(incident) == []


def test_someone_who_wrote_in_before_is_a_participant(cast, mailbox):
    incident, _answer = opened_by_mail(mailbox)
    colleague = "同事 <colleague@customer.example.com>"
    ingest(mailbox, mail(sender=colleague, message_id="<c1@x>", in_reply_to=_answer.message_id))

    inbound = ingest(mailbox, mail(sender=colleague, message_id="<c2@x>",
                                   subject=f"[{incident.number}] 再补充"))

    assert inbound.incident == incident
    assert len(comments(incident)) == 2


def test_staff_replying_by_mail_write_an_internal_note(cast, mailbox):
    incident = cast.log()

    ingest(mailbox, mail(sender="engineer_chen@example.com",
                         references=f"<incident-{incident.number}@ops.example.cn>",
                         body="我下午去现场看看"))

    [comment] = comments(incident)
    assert comment.actor == cast.engineer_chen and not comment.public


def test_another_requester_replying_is_written_by_the_robot(cast, mailbox):
    incident = cast.log()

    ingest(mailbox, mail(sender="outsider@example.com",
                         references=f"<incident-{incident.number}@ops.example.cn>"))

    [comment] = comments(incident)
    assert comment.actor.username == ROBOT_USERNAME
    assert "outsider@example.com" in comment.note


def test_a_reply_to_a_closed_incident_opens_a_linked_new_one_and_says_so(cast, mailbox):
    incident = cast.log()
    actions.resolve(incident, actor=cast.agent_li, source="web", expected_version=None,
                    closure_code="successful", solution="重启了网银前置机",
                    business_recovered_at=clock.now(), ci=cast.ci, category=cast.category)
    incident = actions.confirm(Incident.objects.get(pk=incident.pk), actor=cast.agent_li,
                               source="web", expected_version=None)
    closed_version = Incident.objects.get(pk=incident.pk).version

    with translation.override("en"):
        inbound = ingest(mailbox, mail(
            sender="赵敏 <requester_zhao@example.com>",
            subject=f"Re: [{incident.number}] 网银系统登录缓慢", body="又慢了",
            references=f"<incident-{incident.number}@ops.example.cn>"))

    closed = Incident.objects.get(pk=incident.pk)
    assert (closed.status, closed.version) == ("closed", closed_version)
    follow_up = inbound.incident
    assert (inbound.outcome, inbound.follow_up_of) == (Outcome.CREATED, closed)
    assert follow_up.pk != closed.pk and follow_up.status != "closed"
    assert closed.number in follow_up.description and "又慢了" in follow_up.description
    assert follow_up.requester == cast.requester_zhao
    [notice] = Notification.objects.filter(event="mail_follow_up")
    assert (notice.recipient, notice.subject_id) == (cast.requester_zhao, follow_up.pk)
    assert closed.number in notice.body and follow_up.number in notice.body
