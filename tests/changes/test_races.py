"""Races between connections on PostgreSQL: CAB members voting at once, and
two workers reminding of the same unrecorded emergency change."""

from datetime import timedelta

import pytest

from opsdesk.changes import actions
from opsdesk.changes.handlers import UnrecordedEmergencyReminder
from opsdesk.core.choices import Role
from opsdesk.core.errors import TransitionNotAllowed
from opsdesk.core.models import Notification, TimelineEvent

from ..incidents.test_concurrency import in_threads
from .conftest import draft, fresh, walk_to

pytestmark = pytest.mark.postgres_only


@pytest.fixture
def tx_board(tx_cast):
    cast = tx_cast
    cast.change_manager_xu = cast._user("change_manager_xu", "徐丽", Role.CHANGE_MANAGER, None)
    cast.service_manager_zheng = cast._user("service_manager_zheng", "郑宏",
                                            Role.SERVICE_MANAGER, None)
    cast.director_feng = cast._user("director_feng", "冯志远", Role.OPS_DIRECTOR, None)
    return cast


def test_simultaneous_votes_decide_the_change_once(tx_board):
    cast = tx_board
    change = walk_to(cast, "submitted", draft(cast))
    members = [cast.service_manager_zheng, cast.lead_wang, cast.director_feng]
    change = actions.assess(change, actor=cast.change_manager_xu, source="web",
                            expected_version=change.version, approvers=members)

    results, errors = in_threads(3, lambda i: actions.vote(
        change, actor=members[i], source="web", decision="approve").state)

    assert len(results) + len(errors) == 3
    assert all(isinstance(error, TransitionNotAllowed) for error in errors)
    assert fresh(change).state == "approved"
    assert fresh(change).approvals.filter(vote="approve").count() == len(results) >= 2
    decided = TimelineEvent.objects.filter(subject_type="change", subject_id=change.pk,
                                           kind="cab_decided")
    assert decided.count() == 1
    assert Notification.objects.filter(event="change_decided").count() == 1


def test_two_workers_remind_once(tx_board, frozen):
    cast = tx_board
    urgent = cast.log(impact="high", urgency="critical")
    actions.log_emergency_change(actor=cast.engineer_chen, source="web", incident=urgent,
                                 title="紧急重启")
    frozen.shift(timedelta(hours=25))

    results, errors = in_threads(2, lambda i: UnrecordedEmergencyReminder().handle_one())

    assert errors == []
    assert sorted(results) == [False, True]
    assert Notification.objects.filter(event="change_unrecorded").count() == 1
