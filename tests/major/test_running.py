"""Running a major incident: status updates broadcast to the right people
once, plan steps followed on the timeline, the team changed by its commander."""

import pytest

from opsdesk.core.errors import Forbidden, Invalid
from opsdesk.core.models import Notification
from opsdesk.major import actions
from opsdesk.major.models import StatusUpdate

from ..incidents.helpers import events
from .conftest import declare, make_plan, minutes

TEMPLATE = "【重大事件通报】{incident} {title}\n影响服务：{services}\n进展：{update}\n" \
           "负责人：{commander}\n下次通报：{next_update}\n{unknown}"


def post(major, actor, text="已切换到备机，交易逐步恢复"):
    return actions.post_update(major, actor=actor, source="web", text=text)


def test_an_update_reaches_team_management_and_requester_once_each(crew, frozen):
    make_plan(crew, cis=[crew.ci], template=TEMPLATE)
    major = declare(crew, team=[(crew.engineer_chen, "technical_lead"),
                                (crew.service_manager_zheng, "communications")])
    frozen.shift(minutes(10))

    post(major, crew.engineer_chen)

    rows = Notification.objects.filter(event="major_update")
    assert sorted(rows.values_list("recipient__username", flat=True)) == [
        "director_feng", "lead_wang", "leader_ma", "requester_zhao", "service_manager_zheng"]
    body = rows.get(recipient=crew.requester_zhao).body
    assert body.startswith(
        f"【重大事件通报】{major.number} 网银系统登录缓慢\n影响服务：云主机服务、网上银行\n"
        "进展：已切换到备机，交易逐步恢复\n负责人：王芳\n下次通报：2026-11-23 10:40\n{unknown}")
    major.refresh_from_db()
    assert (major.last_update_at, major.update_due_at) == (
        major.declared_at + minutes(10), major.declared_at + minutes(40))
    assert events(major.incident)[-1][:2] == ("major_update", "engineer_chen")


def test_without_a_template_the_update_uses_the_standard_text(crew):
    major = declare(crew)

    post(major, crew.lead_wang, text="正在与厂商共同分析")

    mail = Notification.objects.get(event="major_update", recipient=crew.engineer_chen)
    assert mail.subject == "重大事件进展通报：网银系统登录缓慢"
    assert "正在与厂商共同分析" in mail.body and "通报人：王芳" in mail.body


def test_only_the_team_or_a_manager_posts_updates(crew):
    major = declare(crew)

    with pytest.raises(Forbidden):
        post(major, crew.agent_li)
    with pytest.raises(Invalid):
        post(major, crew.engineer_chen, text=" ")

    assert StatusUpdate.objects.count() == 0
    assert not Notification.objects.filter(event="major_update").exists()


def test_following_the_plan_puts_each_step_on_the_timeline(crew, frozen):
    make_plan(crew, cis=[crew.ci])
    major = declare(crew)
    first = major.steps.order_by("position").first()
    frozen.shift(minutes(5))

    actions.mark_step(major, actor=crew.engineer_chen, source="web", step_id=first.pk,
                      note="仅交易下单受影响")

    first.refresh_from_db()
    assert (first.done_by, first.done_at, first.note) == (
        crew.engineer_chen, major.declared_at + minutes(5), "仅交易下单受影响")
    kind, actor, _source, changes = events(major.incident)[-1]
    assert (kind, actor, changes) == ("major_step_done", "engineer_chen",
                                      {"plan_step": [None, "确认影响范围"]})
    with pytest.raises(Invalid):
        actions.mark_step(major, actor=crew.engineer_chen, source="web", step_id=first.pk)
    with pytest.raises(Invalid):
        actions.mark_step(major, actor=crew.engineer_chen, source="web", step_id=999_999)
    with pytest.raises(Forbidden):
        actions.mark_step(major, actor=crew.agent_li, source="web",
                          step_id=major.steps.order_by("position")[1].pk)


def test_the_commander_changes_the_team_and_hands_over_command(crew):
    major = declare(crew, commander=crew.engineer_chen, team=[])

    actions.set_member(major, actor=crew.engineer_chen, source="web",
                       user=crew.l2_colleague_sun, role="vendor_liaison")
    with pytest.raises(Forbidden):
        actions.set_member(major, actor=crew.l2_colleague_sun, source="web",
                           user=crew.agent_li, role="member")
    with pytest.raises(Invalid):
        actions.remove_member(major, actor=crew.engineer_chen, source="web",
                              user=crew.engineer_chen)
    actions.set_member(major, actor=crew.lead_wang, source="web", user=crew.l2_colleague_sun,
                       role="commander")
    actions.remove_member(major, actor=crew.l2_colleague_sun, source="web",
                          user=crew.engineer_chen)

    assert [(m.user.username, m.role) for m in major.team.all()] == [
        ("engineer_sun", "commander")]
    assert [e[0] for e in events(major.incident)[-3:]] == ["major_team_changed"] * 3


def test_the_cadence_can_be_set_per_major_incident(crew, frozen):
    major = declare(crew)

    actions.set_cadence(major, actor=crew.lead_wang, source="web", minutes=15)

    major.refresh_from_db()
    assert major.update_due_at == major.next_reminder_at == major.declared_at + minutes(15)
    with pytest.raises(Invalid):
        actions.set_cadence(major, actor=crew.lead_wang, source="web", minutes=1)
    with pytest.raises(Forbidden):
        actions.set_cadence(major, actor=crew.agent_li, source="web", minutes=20)
