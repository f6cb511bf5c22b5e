"""The change console: queues, new RFC (blank, standard, for a problem), the
change page with the CAB's conflict warning, the calendar, blackout windows,
and the panels on the incident, CI and problem pages."""

import pytest
from django.urls import reverse

from opsdesk.changes import actions
from opsdesk.changes.models import Change, StandardChange
from opsdesk.core.choices import Role

from ..problems.conftest import walk_to as walk_problem_to
from .conftest import draft, fresh, walk_to


@pytest.fixture
def as_user(client):
    def sign_in(user):
        client.force_login(user)
        client.cookies["django_language"] = "en"
        return client
    return sign_in


NEW = {"kind": "normal", "title": "防火墙策略调整", "reason": "开通新业务端口",
       "implementation_plan": "添加策略", "rollback_plan": "删除策略", "test_plan": "连通性测试",
       "planned_start": "2026-12-01T22:00:00", "planned_end": "2026-12-01T23:00:00",
       "risk_services": "one", "risk_outage": "none", "risk_users": "few",
       "risk_experience": "routine", "risk_testing": "full", "risk_rollback": "tested"}


def test_requesters_and_strangers_are_kept_out(board, client, as_user):
    assert client.get("/changes/").status_code == 302
    assert client.get("/changes/calendar/").status_code == 302
    change = draft(board)
    requester = as_user(board.requester_zhao)
    assert requester.get("/changes/").status_code == 403
    assert requester.get(f"/changes/{change.number}/").status_code == 403


def test_new_rfc_saved_and_submitted_from_the_form(board, as_user):
    client = as_user(board.engineer_chen)
    page = client.get(reverse("changes:new"))
    assert page.status_code == 200 and b"Risk questionnaire" in page.content
    refused = client.post(reverse("changes:new"), {**NEW, "submit": "1"})
    assert refused.status_code == 422 and b"Name at least one affected" in refused.content
    assert not Change.objects.exists()
    response = client.post(reverse("changes:new"), {**NEW, "cis": [board.ci.pk],
                                                    "submit": "1"})
    assert response.status_code == 302
    change = Change.objects.get()
    # impact: one service (2); probability: routine, fully tested, tested rollback (1)
    assert (change.state, change.risk_score, change.risk_level) == ("submitted", 2, "low")


def test_a_standard_template_fills_the_form(board, as_user):
    template = StandardChange.objects.create(name="证书更新", implementation_plan="替换证书",
                                             rollback_plan="换回旧证书")
    client = as_user(board.engineer_chen)
    page = client.get(reverse("changes:queue"))
    assert b"Standard: " in page.content
    form = client.get(reverse("changes:new") + f"?template={template.pk}")
    assert "替换证书" in form.content.decode()


def test_the_cab_member_sees_the_conflict_warning_and_votes(board, as_user):
    ours = walk_to(board, "assessed")
    theirs = walk_to(board, "submitted", draft(board, title="vm-web-01 系统补丁"))
    client = as_user(board.lead_wang)
    assert [c.number for c in client.get("/changes/?queue=my_votes").context["changes"]] == [
        ours.number]
    page = client.get(ours.get_absolute_url()).content.decode()
    assert 'data-testid="vote-conflict-warning"' in page
    assert theirs.number in page and "Overlaps" in page
    response = client.post(reverse("changes:act", args=[ours.number, "vote"]),
                           {"vote": "approve", "comment": "注意与补丁错开"})
    assert response.status_code == 302
    assert fresh(ours).approvals.get(approver=board.lead_wang).vote == "approve"
    refused = client.post(reverse("changes:act", args=[ours.number, "schedule"]),
                          {"version": fresh(ours).version})
    assert refused.status_code == 302 and fresh(ours).state == "assessed"


def test_the_calendar_marks_conflicts_and_blackouts(board, as_user):
    ours = walk_to(board, "scheduled")
    walk_to(board, "submitted", draft(board, title="同窗口的另一个变更"))
    actions.create_blackout(actor=board.change_manager_xu, source="web", name="年终封网",
                            start=ours.planned_end,
                            end=ours.planned_end.replace(hour=23, minute=59))
    client = as_user(board.engineer_chen)
    week = client.get("/changes/calendar/?view=week&date=2026-12-01")
    assert week.status_code == 200
    day = week.context["days"][1]
    assert str(day["date"]) == "2026-12-01"
    assert [(row["change"].number, row["conflict"]) for row in day["changes"]] == [
        (ours.number, True), ("CHG-20261123-0002", True)]
    assert [b.name for b in day["blackouts"]] == ["年终封网"]
    assert len(week.context["days"]) == 7 and str(week.context["days"][0]["date"]) == \
        "2026-11-30"
    one_day = client.get("/changes/calendar/?view=day&date=2026-12-02")
    assert [d["changes"] for d in one_day.context["days"]] == [[]]
    assert client.get("/changes/calendar/?date=2026-13-01").status_code == 404


def test_blackouts_page_is_for_the_change_manager_to_edit(board, as_user):
    data = {"name": "春节封网", "start": "2027-02-05T00:00:00", "end": "2027-02-12T00:00:00"}
    assert as_user(board.engineer_chen).post(reverse("changes:blackouts"), data).status_code \
        == 403
    client = as_user(board.change_manager_xu)
    assert client.post(reverse("changes:blackouts"), data).status_code == 302
    assert "春节封网" in client.get(reverse("changes:blackouts")).content.decode()


def test_incident_ci_and_problem_pages_show_their_changes(board, as_user):
    urgent = board.log(impact="high", urgency="critical")
    client = as_user(board.engineer_chen)
    incident_page = client.get(urgent.get_absolute_url()).content.decode()
    assert 'data-testid="log-emergency-change"' in incident_page
    response = client.post(reverse("changes:emergency"), {
        "incident": urgent.number, "title": "紧急切换备机", "cis": [board.ci.pk]})
    assert response.status_code == 302
    change = Change.objects.get()
    incident_page = client.get(urgent.get_absolute_url()).content.decode()
    assert change.number in incident_page and "emergency change for the incident" in \
        incident_page
    ci_page = client.get(board.ci.get_absolute_url()).content.decode()
    assert 'data-testid="ci-change"' in ci_page and change.number in ci_page
    assert client.get("/changes/?queue=unrecorded").status_code == 200


def test_a_problem_requests_its_change_through_a_new_rfc(board, as_user):
    board.problem_manager_gao = board._user("problem_manager_gao", "高建国",
                                            Role.PROBLEM_MANAGER, None)
    problem = walk_problem_to(board, "solution_identified")
    client = as_user(board.engineer_chen)
    page = client.get(problem.get_absolute_url()).content.decode()
    assert 'data-testid="request-change"' in page
    form = client.get(reverse("changes:new") + f"?problem={problem.number}")
    assert form.context["form"].initial["problem"] == problem.number
    response = client.post(reverse("changes:new"), {**NEW, "title": problem.title,
                                                    "cis": [board.ci.pk],
                                                    "problem": problem.number})
    assert response.status_code == 302
    change = Change.objects.get()
    problem.refresh_from_db()
    assert (change.problem, problem.state, problem.change_reference) == (
        problem, "change_requested", change.number)
    assert change.number in client.get(problem.get_absolute_url()).content.decode()
