"""What a mail client receives from us (a real SMTP server on loopback): the
tag, the threading headers, Auto-Submitted, Reply-To the mailbox; and the
reply to it threads back. Addresses that bounced are not written to again."""

from opsdesk.core.models import DeliveryStatus, Notification
from opsdesk.incidents import actions
from opsdesk.incidents.models import Incident
from opsdesk.mail.ingest import ingest
from opsdesk.mail.models import Outcome

from ..notify.conftest import deliver_all, header
from .conftest import DESK_ADDRESS, bounce_of, mail


def test_the_answer_threads_and_its_reply_joins_the_incident(cast, mailbox, smtp_server):
    ingest(mailbox, mail())
    incident = Incident.objects.get()

    assert deliver_all() == 1
    [received] = smtp_server.messages
    assert header(received, "To") == "wang.jianguo@customer.example.com"
    assert header(received, "Subject").startswith(f"[{incident.number}] ")
    assert header(received, "Reply-To") == DESK_ADDRESS
    assert header(received, "Auto-Submitted") == "auto-generated"
    thread = f"<incident-{incident.number}@ops.example.cn>"
    assert header(received, "References") == thread
    assert header(received, "In-Reply-To") == thread
    assert header(received, "Message-ID") == Notification.objects.get().message_id

    reply = ingest(mailbox, mail(
        subject="Re: " + header(received, "Subject"), message_id="<reply@customer.example.com>",
        in_reply_to=header(received, "Message-ID"),
        references=f"{thread} {header(received, 'Message-ID')}", body="谢谢，等你们消息"))

    assert (reply.outcome, reply.incident) == (Outcome.COMMENTED, incident)


def test_notifications_about_other_incidents_keep_the_global_reply_to(cast, mailbox,
                                                                      smtp_server):
    incident = cast.log()
    actions.comment(incident, actor=cast.agent_li, source="web", body="我们在处理", public=True)

    deliver_all()

    [received] = smtp_server.messages
    assert header(received, "Reply-To") == "replies@ops.example.cn"


def test_later_notifications_of_a_mailed_incident_reply_to_its_mailbox(cast, mailbox,
                                                                       smtp_server):
    ingest(mailbox, mail())
    incident = Incident.objects.get()
    actions.comment(incident, actor=cast.agent_li, source="web", body="请重启打印机试试",
                    public=True)

    deliver_all()

    assert [header(m, "Reply-To") for m in smtp_server.messages] == [DESK_ADDRESS] * 2
    assert "请重启打印机试试" in smtp_server.messages[1].get_content()


def test_a_bounced_address_is_not_written_to_again(cast, mailbox, smtp_server):
    ingest(mailbox, mail())
    deliver_all()
    answer = Notification.objects.get()
    ingest(mailbox, bounce_of(answer.message_id, answer.address))
    incident = Incident.objects.get()

    actions.comment(incident, actor=cast.agent_li, source="web", body="请回电", public=True)
    deliver_all()

    assert len(smtp_server.messages) == 1
    later = Notification.objects.get(event="public_comment")
    assert later.status == DeliveryStatus.DEAD
    assert "bounced" in later.last_error
