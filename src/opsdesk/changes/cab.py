"""The CAB's quorum rule (CHG-02), plain code. No database access.

The change manager names the CAB members for a change when assessing it;
`quorum` approvals are needed (OPSDESK_CAB_QUORUM, default 2, taken onto the
change then). After every vote:

- a rejection by the change manager rejects the change at once (the manager
  chairs the CAB and answers for unauthorised changes);
- otherwise, once `quorum` members approve, the change is approved;
- once so many have rejected that the members still to vote cannot bring the
  approvals up to the quorum, the change is rejected;
- else the vote goes on.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from .choices import State, Vote
from .rules import CHANGE_MANAGERS


@dataclass(frozen=True)
class Ballot:
    role: str
    vote: str  # Vote, or "" while not cast


def outcome(ballots: Iterable[Ballot], quorum: int) -> State | None:
    """APPROVED, REJECTED, or None while undecided."""
    ballots = list(ballots)
    if any(b.vote == Vote.REJECT and b.role in CHANGE_MANAGERS for b in ballots):
        return State.REJECTED
    approvals = sum(b.vote == Vote.APPROVE for b in ballots)
    if approvals >= quorum:
        return State.APPROVED
    pending = sum(not b.vote for b in ballots)
    if approvals + pending < quorum:
        return State.REJECTED
    return None
