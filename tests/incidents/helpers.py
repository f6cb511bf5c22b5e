"""Short ways to drive an incident through the real actions, and to see what
they wrote."""

from opsdesk.core import timeline
from opsdesk.core.models import Counter, TimelineEvent
from opsdesk.incidents import actions
from opsdesk.incidents.choices import PROBLEM_CLOSURE_CODES
from opsdesk.incidents.models import Incident


def act(action, incident, actor, **kwargs):
    """Call an action the way the console does: from the web, with the version shown."""
    kwargs.setdefault("expected_version", incident.version)
    return action(incident, actor=actor, source="web", **kwargs)


def fresh(incident) -> Incident:
    return Incident.objects.get(pk=incident.pk)


def events(incident) -> list[tuple]:
    """The timeline as (kind, actor username, source, changes)."""
    return [(e.kind, e.actor.username if e.actor else None, e.source, e.changes)
            for e in timeline.events_of(incident)]


def kinds(incident) -> list[str]:
    return [e.kind for e in timeline.events_of(incident)]


def snapshot() -> dict:
    """Everything an action may write, to prove a refused one wrote nothing."""
    return {
        "incidents": list(Incident.objects.order_by("id").values()),
        "events": TimelineEvent.objects.count(),
        "counters": dict(Counter.objects.values_list("key", "value")),
    }


class Desk:
    """Brings an incident to a given status through the cast's usual hands:
    agent_li logs and dispatches to L2, engineer_chen accepts and resolves."""

    def __init__(self, cast):
        self.cast = cast

    def assigned(self, team=None, assignee=None, **log):
        incident = self.cast.log(**log)
        return act(actions.assign, incident, self.cast.agent_li, team=team or self.cast.l2,
                   assignee=assignee)

    def in_progress(self, **log):
        return act(actions.accept, self.assigned(**log), self.cast.engineer_chen)

    def pending(self, **log):
        return act(actions.pend, self.in_progress(**log), self.cast.engineer_chen,
                   waiting_on="vendor", reason="等待厂商备件")

    def resolve(self, incident, closure_code="successful", by=None, **kwargs):
        if closure_code in PROBLEM_CLOSURE_CODES:
            kwargs.setdefault("problem", "new")  # INC-16: raise one from the incident
        return act(actions.resolve, incident, by or self.cast.engineer_chen,
                   closure_code=closure_code, solution="更换了故障磁盘", **kwargs)

    def resolved(self, closure_code="successful", **log):
        return self.resolve(self.in_progress(**log), closure_code)

    def closed(self, **log):
        return act(actions.confirm, self.resolved(**log), self.cast.agent_li)
