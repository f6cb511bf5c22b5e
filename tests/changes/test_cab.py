"""The CAB quorum rule (cab.py), case by case."""

import pytest

from opsdesk.changes.cab import Ballot, outcome
from opsdesk.core.choices import Role

MEMBER, MANAGER = Role.SERVICE_MANAGER, Role.CHANGE_MANAGER


def ballots(*pairs):
    return [Ballot(role, vote) for role, vote in pairs]


@pytest.mark.parametrize(("votes", "quorum", "decided"), [
    # nobody has voted yet
    ([(MEMBER, ""), (MEMBER, ""), (MEMBER, "")], 2, None),
    # one approval of two needed
    ([(MEMBER, "approve"), (MEMBER, ""), (MEMBER, "")], 2, None),
    # the quorum reached: the third member need not vote
    ([(MEMBER, "approve"), (MEMBER, "approve"), (MEMBER, "")], 2, "approved"),
    # a member's rejection with the quorum still reachable: the vote goes on
    ([(MEMBER, "reject"), (MEMBER, ""), (MEMBER, "")], 2, None),
    # …and the approvals can still carry it
    ([(MEMBER, "reject"), (MEMBER, "approve"), (MEMBER, "approve")], 2, "approved"),
    # two rejections of three members: two approvals can no longer be reached
    ([(MEMBER, "reject"), (MEMBER, "reject"), (MEMBER, "")], 2, "rejected"),
    # the change manager's rejection rejects at once, even with approvals enough
    ([(MEMBER, "approve"), (MEMBER, "approve"), (MANAGER, "reject")], 2, "rejected"),
    ([(MANAGER, "reject"), (MEMBER, ""), (MEMBER, "")], 2, "rejected"),
    # the change manager's approval counts like any other
    ([(MANAGER, "approve"), (MEMBER, "")], 1, "approved"),
    # an administrator chairs like the change manager
    ([(Role.ADMIN, "reject"), (MEMBER, "approve")], 1, "rejected"),
    # a quorum of three with three members: one rejection ends it
    ([(MEMBER, "approve"), (MEMBER, "reject"), (MEMBER, "")], 3, "rejected"),
])
def test_the_quorum_rule(votes, quorum, decided):
    assert outcome(ballots(*votes), quorum) == decided
