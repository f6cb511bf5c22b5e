"""The satisfaction survey (INC-19): scheduled in the closing transaction,
mailed by the worker after the delay, reminded once, answered once in the
portal, shown on the ticket in the console and the API."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse

from opsdesk.core import timeline
from opsdesk.core.models import Notification
from opsdesk.incidents import actions
from opsdesk.portal.models import SurveyInvitation, SurveyResponse
from opsdesk.portal.surveys import SendSurveys

from ..api.conftest import Api
from ..incidents.helpers import Desk, act, fresh
from ..notify.conftest import deliver_all


def run_worker() -> int:
    handler, done = SendSurveys(), 0
    while handler.handle_one():
        done += 1
    return done


def survey_mails() -> list[tuple[str, str]]:
    return list(Notification.objects.filter(event__startswith="survey_")
                .order_by("id").values_list("event", "address"))


def answer(client, incident, **data):
    return client.post(reverse("portal:survey", args=[incident.number]), data)


def test_the_survey_goes_out_after_the_delay_and_is_reminded_once(cast, desk, frozen):
    incident = desk.closed()
    invitation = SurveyInvitation.objects.get(incident=incident)
    assert invitation.recipient == cast.requester_zhao
    assert run_worker() == 0
    frozen.shift(timedelta(hours=2) - timedelta(seconds=1))
    assert run_worker() == 0
    frozen.shift(timedelta(seconds=1))
    assert run_worker() == 1
    assert survey_mails() == [("survey_invitation", "requester_zhao@example.com")]
    frozen.shift(timedelta(days=3) - timedelta(seconds=1))
    assert run_worker() == 0
    frozen.shift(timedelta(seconds=1))
    assert run_worker() == 1
    frozen.shift(timedelta(days=30))
    assert run_worker() == 0
    assert survey_mails() == [("survey_invitation", "requester_zhao@example.com"),
                              ("survey_reminder", "requester_zhao@example.com")]


def test_nothing_goes_out_more_than_a_week_after_closure(cast, desk, frozen):
    desk.closed()
    frozen.shift(timedelta(days=7))
    assert run_worker() == 1  # the invitation is retired, unsent
    assert survey_mails() == []
    assert SurveyInvitation.objects.get().next_mail_at is None


def test_the_delay_is_configurable(cast, desk, frozen, settings):
    settings.OPSDESK_SURVEY_DELAY_HOURS = 24
    desk.closed()
    frozen.shift(timedelta(hours=23))
    assert run_worker() == 0
    frozen.shift(timedelta(hours=1))
    assert run_worker() == 1


def test_no_reminder_after_an_answer(cast, desk, frozen, as_user):
    incident = desk.closed()
    frozen.shift(timedelta(hours=2))
    run_worker()
    assert answer(as_user(cast.requester_zhao), incident, score=4).status_code == 302
    frozen.shift(timedelta(days=7))
    assert run_worker() == 0
    assert survey_mails() == [("survey_invitation", "requester_zhao@example.com")]


def test_an_answer_before_the_mail_means_no_mail_at_all(cast, desk, frozen, as_user):
    incident = desk.closed()
    answer(as_user(cast.requester_zhao), incident, score=5)
    frozen.shift(timedelta(days=7))
    assert run_worker() == 0 and survey_mails() == []


def test_no_survey_for_duplicates_or_a_rejected_resolution(cast, desk, as_user):
    master = desk.in_progress()
    duplicate = cast.log(title="网银登录慢")
    act(actions.link_duplicate, duplicate, cast.agent_li, master=master)
    master = desk.resolve(fresh(master))
    act(actions.confirm, master, cast.agent_li)
    assert fresh(duplicate).status == "closed"
    assert list(SurveyInvitation.objects.values_list("incident__number", flat=True)) == [
        master.number]
    rejected = desk.resolved(title="邮件系统退信")
    rejected, copy = act(actions.reject, rejected, cast.requester_zhao, reason="仍然退信")
    assert not SurveyInvitation.objects.filter(incident=rejected).exists()
    copy = desk.resolve(act(actions.accept, copy, cast.engineer_chen))
    act(actions.confirm, copy, cast.requester_zhao)
    assert SurveyInvitation.objects.filter(incident=copy).exists()


def test_no_survey_without_a_requester_to_mail(cast, desk):
    nobody = desk.resolved(requester=None, reporter_name="张先生", reporter_phone="13900000000")
    act(actions.confirm, nobody, cast.agent_li)
    cast.requester_zhao.email = ""
    cast.requester_zhao.save()
    no_address = desk.resolved(title="打印机卡纸")
    act(actions.confirm, no_address, cast.agent_li)
    assert not SurveyInvitation.objects.exists()


def test_a_monitoring_ticket_closing_on_resolution_gets_no_survey(cast, desk):
    alert = desk.in_progress(kind="alert", channel="monitoring", requester=None)
    assert fresh(desk.resolve(alert)).status == "closed"
    assert not SurveyInvitation.objects.exists()


def test_the_requester_answers_with_a_complaint(cast, desk, as_user, frozen):
    incident = desk.closed()
    client = as_user(cast.requester_zhao)
    assert client.get(reverse("portal:ticket", args=[incident.number])).context["survey_form"]
    response = answer(client, incident, score=2, comment="处理太慢", complaint="on",
                      complaint_text="等待了三天才有人联系我")
    assert response.status_code == 302
    saved = SurveyResponse.objects.get()
    assert (saved.score, saved.comment, saved.complaint, saved.complaint_text) == (
        2, "处理太慢", True, "等待了三天才有人联系我")
    incident = fresh(incident)
    assert (incident.satisfaction_score, incident.complaint_count, incident.status) == (
        2, 1, "closed")
    event = list(timeline.events_of(incident))[-1]
    assert (event.kind, event.actor, event.public, event.changes) == (
        "survey_answered", cast.requester_zhao, True,
        {"satisfaction_score": [None, 2], "complaint_count": [0, 1]})
    page = client.get(reverse("portal:ticket", args=[incident.number]))
    assert page.context["survey_form"] is None
    assert "You rated this ticket 2 of 5." in page.content.decode()


@pytest.mark.parametrize("data, field, message", [
    ({}, "score", "Choose a score from 1 (very dissatisfied) to 5 (very satisfied)."),
    ({"score": "0"}, "score", "Choose a score from 1 (very dissatisfied) to 5 (very satisfied)."),
    ({"score": "6"}, "score", "Choose a score from 1 (very dissatisfied) to 5 (very satisfied)."),
    ({"score": "abc"}, "score", "Enter a whole number."),
    ({"score": "3", "complaint": "on"}, "complaint_text", "This field is required."),
])
def test_a_bad_answer_gets_a_clear_error_and_saves_nothing(cast, desk, as_user, data, field,
                                                           message):
    incident = desk.closed()
    response = answer(as_user(cast.requester_zhao), incident, **data)
    assert response.status_code == 422
    assert response.context["survey_form"].errors[field] == [message]
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not SurveyResponse.objects.exists()
    assert fresh(incident).satisfaction_score is None


def test_a_survey_is_answered_once(cast, desk, as_user):
    incident = desk.closed()
    client = as_user(cast.requester_zhao)
    answer(client, incident, score=5)
    response = answer(client, incident, score=1)
    assert response.status_code == 409
    assert SurveyResponse.objects.get().score == 5


def test_nobody_else_answers_the_survey(cast, desk, colleague, organisation_visible, as_user):
    incident = desk.closed()
    assert answer(as_user(cast.outsider), incident, score=1).status_code == 404
    page = as_user(colleague).get(reverse("portal:ticket", args=[incident.number]))
    assert page.context["survey_form"] is None
    assert answer(as_user(colleague), incident, score=1).status_code == 403
    assert not SurveyResponse.objects.exists()


def test_the_console_and_the_api_show_the_result(cast, desk, as_user):
    incident = desk.closed()
    answer(as_user(cast.requester_zhao), incident, score=4, comment="工程师很耐心")
    page = as_user(cast.agent_li).get(reverse("incidents:detail", args=[incident.number]))
    text = page.content.decode()
    assert 'data-testid="survey-score">4 / 5<' in text and "工程师很耐心" in text
    assert "answered the satisfaction survey" in text
    body = Api(cast.agent_li).get(f"/incidents/{incident.number}").json()
    assert (body["satisfaction_score"], body["complaint_count"]) == (4, 0)


def test_the_console_shows_a_survey_not_yet_answered(cast, desk, as_user, frozen):
    incident = desk.closed()
    text = as_user(cast.agent_li).get(
        reverse("incidents:detail", args=[incident.number])).content.decode()
    assert "To be sent at 2026-11-23 12:00." in text


def test_the_survey_mail_reaches_the_requester(cast, desk, frozen, smtp_server):
    incident = desk.closed()
    frozen.shift(timedelta(hours=2))
    run_worker()
    assert deliver_all() >= 1
    mails = [mail for mail in smtp_server.messages
             if mail["To"] == "requester_zhao@example.com" and "满意度调查" in mail["Subject"]]
    assert len(mails) == 1
    assert incident.number in mails[0]["Subject"]
    url = f"/portal/tickets/{incident.number}/#survey"
    assert url in mails[0].get_content()


@pytest.mark.postgres_only
def test_two_workers_at_once_send_each_survey_once(tx_cast, frozen):
    desk = Desk(tx_cast)
    for title in ("网银登录缓慢", "打印机卡纸", "邮件系统退信", "交易终端无法连接"):
        desk.closed(title=title)
    frozen.shift(timedelta(hours=2))
    start = threading.Barrier(2)
    done = []

    def worker():
        start.wait()
        try:
            done.append(run_worker())
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(done) == 4
    assert len(survey_mails()) == 4
    assert SurveyInvitation.objects.filter(sent_at__isnull=False).count() == 4
