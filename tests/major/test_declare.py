"""Declaring a major incident (INC-12, 101.1–101.2): who may, which plans
are found, who is told, and refused input that writes nothing."""

import pytest
from django.utils import translation

from opsdesk.core.errors import Forbidden, Invalid, TransitionNotAllowed
from opsdesk.core.models import Notification, Service, TimelineEvent
from opsdesk.incidents.rules import IncidentClosed
from opsdesk.major.models import MajorIncident, ResponseStep, TeamMember
from opsdesk.major.rules import AlreadyMajor

from ..incidents.helpers import Desk, events
from .conftest import P1, declare, make_plan


def unrelated_service():
    return Service.objects.create(name="医院信息系统", code="his")


def written() -> dict:
    return {"majors": MajorIncident.objects.count(), "members": TeamMember.objects.count(),
            "steps": ResponseStep.objects.count(), "events": TimelineEvent.objects.count(),
            "notifications": Notification.objects.count()}


@pytest.mark.parametrize("who", ["lead_wang", "service_manager_zheng", "director_feng", "admin"])
def test_managers_may_declare_at_any_priority(crew, who):
    incident = crew.log(impact="low", urgency="low")  # P4: a manager's decision

    major = declare(crew, incident, actor=getattr(crew, who))

    assert (major.number, major.status, major.declared_by) == (
        incident.number, "active", getattr(crew, who))
    roles = {(m.user.username, m.role) for m in major.team.all()}
    assert roles == {(who, "commander"), ("engineer_chen", "technical_lead")}


@pytest.mark.parametrize("who", ["agent_li", "engineer_chen", "leader_ma", "requester_zhao"])
def test_nobody_else_may_declare_even_a_priority_1(crew, who):
    incident = crew.log(**P1)
    before = written()

    with pytest.raises(Forbidden):
        declare(crew, incident, actor=getattr(crew, who))

    assert written() == before


def test_the_plan_of_the_incidents_item_is_attached_with_its_steps(crew):
    plan = make_plan(crew, cis=[crew.ci])
    make_plan(crew, "医院信息系统应急预案", services=[unrelated_service()])

    major = declare(crew)

    assert list(major.plans.all()) == [plan]
    assert [(s.text, s.plan_id, s.done_at) for s in major.steps.order_by("position")] == [
        ("确认影响范围", plan.pk, None), ("切换到备用主机", plan.pk, None),
        ("验证业务恢复", plan.pk, None)]


def test_a_plan_is_found_through_a_service_that_depends_on_the_item(crew):
    ebanking = make_plan(crew, "网上银行应急预案", services=[crew.ebanking])
    cloud = make_plan(crew, "云主机服务应急预案", services=[crew.service])
    make_plan(crew, "医院信息系统应急预案", services=[unrelated_service()])

    major = declare(crew)

    assert list(major.plans.order_by("name")) == [cloud, ebanking]


def test_without_a_plan_the_team_analyses_with_the_vendors(crew):
    with translation.override("en"):
        major = declare(crew)

    assert major.plans.count() == 0 and major.steps.count() == 0
    kind, actor, _source, changes = events(major.incident)[-1]
    assert (kind, actor) == ("major_declared", "lead_wang")
    assert changes["plans"] == [None, "no plan: analyse with the vendors"]


def test_the_team_and_management_are_told_once_and_the_declarer_is_not(crew):
    crew.director_feng.language = "en"
    crew.director_feng.save()
    major = declare(crew, team=[(crew.engineer_chen, "technical_lead"),
                                (crew.director_feng, "communications")])

    told = sorted(Notification.objects.filter(event="major_declared")
                  .values_list("recipient__username", flat=True))
    assert told == ["director_feng", "engineer_chen", "leader_ma", "service_manager_zheng"]
    mail = Notification.objects.get(event="major_declared", recipient=crew.engineer_chen)
    assert mail.subject == f"重大事件已启动：{major.incident.title}"
    assert "无应急预案，请组织相关厂商共同分析" in mail.body
    assert "- 陈伟 (" in mail.body
    english = Notification.objects.get(event="major_declared", recipient=crew.director_feng)
    assert english.subject == f"Major incident declared: {major.incident.title}"
    assert "- 王芳 (Commander)\n- 陈伟 (Technical lead)\n- 冯志远 (Communications)" in \
        english.body
    assert "no plan: analyse with the vendors" in english.body


@pytest.mark.parametrize(("fields", "field"), [
    ({"reason": "  "}, "reason"),
    ({"update_interval_minutes": 0}, "update_interval_minutes"),
    ({"update_interval_minutes": 10_000}, "update_interval_minutes"),
    ({"team": [("requester", "member")]}, "team"),
    ({"team": [("engineer_chen", "commander")]}, "team"),
    ({"team": [("engineer_chen", "member"), ("engineer_chen", "technical_lead")]}, "team"),
    ({"commander": "requester"}, "commander"),
])
def test_refused_input_writes_nothing(crew, fields, field):
    incident = crew.log(**P1)
    named = {"requester": crew.requester_zhao, "engineer_chen": crew.engineer_chen}
    if "team" in fields:
        fields["team"] = [(named[user], role) for user, role in fields["team"]]
    if "commander" in fields:
        fields["commander"] = named[fields["commander"]]
    before = written()

    with pytest.raises(Invalid) as refused:
        declare(crew, incident, **fields)

    assert set(refused.value.fields) == {field}
    assert written() == before


def test_an_incident_is_declared_once(crew):
    major = declare(crew)
    before = written()

    with pytest.raises(AlreadyMajor):
        declare(crew, major.incident, actor=crew.director_feng)

    assert written() == before


def test_resolved_and_closed_incidents_cannot_be_declared(crew):
    desk = Desk(crew)
    with pytest.raises(TransitionNotAllowed):
        declare(crew, desk.resolved())
    with pytest.raises(IncidentClosed):
        declare(crew, desk.closed())
    assert MajorIncident.objects.count() == 0
