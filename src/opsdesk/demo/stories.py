"""Demo incident histories, played through the real actions.

Each story is one ticket's life as timed steps (log, dispatch, accept,
transfer, pend, resolve, confirm …), sometimes with duplicates linked to it
or a copy opened when the requester rejects the resolution. The planner
decides every story up front from a seeded random generator, so the demo
always holds the same tickets; `replay` then runs all steps of all stories
in time order, each with the clock set to its moment, so numbers, timelines
and timestamps read like sixty days of a real service desk.
"""

import heapq
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from django.utils import timezone

from opsdesk.core import clock
from opsdesk.core.choices import Role
from opsdesk.core.models import ConfigurationItem, Customer, User
from opsdesk.incidents import actions
from opsdesk.incidents.choices import (
    AUTO_CLOSE_CHANNELS,
    PROBLEM_CLOSURE_CODES,
    STAFF_RAISED_CHANNELS,
    Channel,
    ClosureCode,
    Kind,
    WaitingOn,
)
from opsdesk.incidents.models import Incident
from opsdesk.sla.priority import SEED_004_MATRIX, priority_for

from . import catalogue
from .catalogue import Template
from .organisation import Organisation

SEED = 20261123
HISTORY = timedelta(days=60)

# How each story ends, and how many stories end that way.
OUTCOMES = {
    "new": 14, "assigned": 18, "in_progress": 22, "pending_requester": 8, "pending_vendor": 7,
    "resolved": 18, "successful": 150, "workaround": 16, "with_problem": 12,
    "unsuccessful": 4, "rejected": 10,
}
CLOSURES = {
    "successful": ClosureCode.SUCCESSFUL,
    "workaround": ClosureCode.WORKAROUND,
    "with_problem": ClosureCode.SUCCESSFUL_WITH_PROBLEM,
    "unsuccessful": ClosureCode.UNSUCCESSFUL,
}
# These stories pause at "resolved" for the requester, which tickets that
# close on resolution never do.
WAIT_FOR_REQUESTER = {"resolved", "rejected"}
# How long before "now" a story that ends open was registered, at most.
OPEN_FOR = {
    "new": timedelta(days=2), "assigned": timedelta(days=3), "in_progress": timedelta(days=7),
    "pending_requester": timedelta(days=10), "pending_vendor": timedelta(days=10),
    "resolved": timedelta(days=5), "rejected": timedelta(days=5),
}

KIND_WEIGHTS = {Kind.FAULT: 55, Kind.SERVICE_REQUEST: 25, Kind.ALERT: 20}
CHANNEL_WEIGHTS = {
    Kind.FAULT: {
        Channel.PHONE: 35, Channel.EMAIL: 15, Channel.PORTAL: 12, Channel.WEB: 6,
        Channel.CHAT: 12, Channel.FAX: 2, Channel.REFERRAL: 8, Channel.API: 10,
    },
    Kind.SERVICE_REQUEST: {
        Channel.PORTAL: 35, Channel.EMAIL: 25, Channel.PHONE: 20, Channel.WEB: 10,
        Channel.CHAT: 8, Channel.FAX: 2,
    },
    Kind.ALERT: {Channel.MONITORING: 85, Channel.INSPECTION: 15},
}
SELF_SERVICE = frozenset({Channel.PORTAL, Channel.WEB})
WITHOUT_REPORTER = frozenset({Channel.MONITORING, Channel.INSPECTION})
TEMPLATES = {
    Kind.FAULT: catalogue.FAULTS,
    Kind.SERVICE_REQUEST: catalogue.REQUESTS,
    Kind.ALERT: catalogue.ALERTS,
}
# Urgent tickets move faster: a factor on every waiting time.
PACE = {"critical": 0.25, "high": 0.5, "medium": 1.0, "low": 1.6}


def source_of(actor: User) -> str:
    if actor.username == "monitoring":
        return "api"
    return "portal" if actor.role == Role.REQUESTER else "web"


@dataclass
class Ticket:
    """What a story's ticket is about, decided before anything is written."""

    template: Template
    channel: Channel
    ci: ConfigurationItem
    customer: Customer | None
    requester: User | None
    reporter_name: str
    reporter_phone: str
    title: str
    description: str
    impact: str
    urgency: str
    occurred_before: timedelta


@dataclass
class Story:
    org: Organisation
    ticket: Ticket
    # Ends open: registered at most this long before now. None: closed,
    # registered anywhere in the history.
    open_for: timedelta | None
    start: datetime | None = None
    steps: list[tuple[timedelta, Callable[[], None]]] = field(default_factory=list)
    elapsed: timedelta = timedelta(0)
    incident: Incident | None = None
    duplicates: list[Incident] = field(default_factory=list)

    def then(self, after: timedelta, step: Callable, *args, **kwargs) -> None:
        self.elapsed += max(after, timedelta(minutes=1))
        self.steps.append((self.elapsed, partial(step, *args, **kwargs)))

    # The steps. Each runs with the clock frozen at its moment.

    def _log(self, actor: User, *, reporter_name: str = "", note: str = "",
             channel: str = "") -> Incident:
        ticket = self.ticket
        return actions.log_incident(
            actor=actor, source=source_of(actor), title=ticket.title,
            description=note + ticket.description, kind=ticket.template.kind,
            channel=channel or ticket.channel, impact=ticket.impact, urgency=ticket.urgency,
            category=self.org.categories[ticket.template.category],
            system_type=ticket.template.system_type, ci=ticket.ci, service=ticket.ci.service,
            customer=ticket.customer,
            requester=None if reporter_name else ticket.requester,
            reporter_name=reporter_name or ticket.reporter_name,
            reporter_phone=ticket.reporter_phone,
            occurred_at=clock.now() - ticket.occurred_before,
        )

    def log(self, actor: User) -> None:
        self.incident = self._log(actor)

    def log_duplicate(self, actor: User, reporter_name: str) -> None:
        note = f"{reporter_name}来电反映同一问题。"
        self.duplicates.append(
            self._log(actor, reporter_name=reporter_name, note=note, channel=Channel.PHONE)
        )

    def link_duplicate(self, actor: User) -> None:
        duplicate = self.duplicates[-1]
        actions.link_duplicate(duplicate, actor=actor, source=source_of(actor),
                               expected_version=duplicate.version, master=self.incident)

    def act(self, action: Callable, actor: User, **kwargs) -> None:
        self.incident = action(self.incident, actor=actor, source=source_of(actor),
                               expected_version=self.incident.version, **kwargs)

    def resolve(self, actor: User, closure_code: str, solution: str, recovery_lead: int) -> None:
        recovered = None
        if self.ticket.template.kind == Kind.FAULT:
            recovered = max(self.incident.occurred_at,
                            clock.now() - timedelta(minutes=recovery_lead))
        self.act(actions.resolve, actor, closure_code=closure_code, solution=solution,
                 business_recovered_at=recovered,
                 failure_vendor=self.ticket.template.failure_vendor or None,
                 problem="new" if closure_code in PROBLEM_CLOSURE_CODES else None)

    def reject(self, actor: User, reason: str) -> None:
        _rejected, self.incident = actions.reject(
            self.incident, actor=actor, source=source_of(actor),
            expected_version=self.incident.version, reason=reason,
        )


class Planner:
    def __init__(self, org: Organisation, now: datetime, seed: int = SEED):
        self.org = org
        self.now = now
        self.rng = random.Random(seed)
        self.desk = [org.users["agent_li"], org.users["agent_zhang"]]
        self.incident_manager = org.users["lead_wang"]
        self.monitoring = org.users["monitoring"]

    def stories(self) -> list[Story]:
        outcomes = [outcome for outcome, count in OUTCOMES.items() for _ in range(count)]
        self.rng.shuffle(outcomes)
        stories = [self.plan(outcome) for outcome in outcomes]
        for story in stories:
            story.start = self.start_of(story)
        return stories

    def minutes(self, low: float, high: float, pace: float = 1.0) -> timedelta:
        return timedelta(minutes=self.rng.uniform(low, high) * pace)

    def weighted(self, weights: dict):
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def ticket(self, outcome: str) -> Ticket:
        rng = self.rng
        kind = self.weighted(KIND_WEIGHTS)
        if outcome in WAIT_FOR_REQUESTER and kind == Kind.ALERT:
            kind = Kind.FAULT
        template = rng.choice(TEMPLATES[kind])
        channels = dict(CHANNEL_WEIGHTS[kind])
        if outcome in WAIT_FOR_REQUESTER:
            channels = {c: w for c, w in channels.items() if c not in AUTO_CLOSE_CHANNELS}
        channel = self.weighted(channels)
        ci = rng.choice([ci for ci in self.org.cis.values() if ci.ci_type in template.ci_types])
        accounts = self.org.requesters_of(ci.customer)
        if channel in SELF_SERVICE and not accounts:
            channel = Channel.EMAIL
        requester = None
        if accounts and channel not in WITHOUT_REPORTER and (
            channel in SELF_SERVICE or rng.random() < 0.5
        ):
            requester = rng.choice(accounts)
        reporter = "" if requester or channel in WITHOUT_REPORTER else rng.choice(
            catalogue.PEOPLE)
        values = {
            "ci": ci.name, "pct": rng.randint(91, 99), "size": rng.choice((100, 200, 500)),
            "count": rng.randint(2, 6), "person": rng.choice(catalogue.PEOPLE),
            "place": rng.choice(catalogue.PLACES),
        }
        impact, urgency = rng.choice(template.ratings)
        early = (1, 3) if kind == Kind.ALERT else (0, 0) if kind == Kind.SERVICE_REQUEST \
            else (5, 120)
        return Ticket(
            template=template, channel=channel, ci=ci, customer=ci.customer,
            requester=requester, reporter_name=reporter,
            reporter_phone=f"139{rng.randint(10000000, 99999999)}" if reporter else "",
            title=template.title.format(**values), description=template.description.format(
                **values), impact=impact, urgency=urgency,
            occurred_before=timedelta(minutes=rng.randint(*early)),
        )

    def logger(self, ticket: Ticket) -> User:
        if ticket.channel in AUTO_CLOSE_CHANNELS:
            return self.monitoring
        if ticket.channel in SELF_SERVICE:
            return ticket.requester
        return self.rng.choice(self.desk)

    def plan(self, outcome: str) -> Story:
        rng = self.rng
        ticket = self.ticket(outcome)
        pace = PACE[ticket.urgency]
        story = Story(self.org, ticket, open_for=OPEN_FOR.get(outcome))
        dispatcher = self.rng.choice(self.desk)
        story.then(timedelta(0), story.log, self.logger(ticket))
        if rng.random() < 0.04:
            self.override_priority(story)
        if rng.random() < 0.05:
            for _ in range(rng.randint(1, 2)):
                story.then(self.minutes(10, 60), story.log_duplicate, dispatcher,
                           rng.choice(catalogue.PEOPLE))
                story.then(self.minutes(2, 10), story.link_duplicate, dispatcher)
        if outcome == "new":
            return story
        route = ticket.template.route
        # The service desk solves simple calls at once (first-contact resolution).
        first_call = (route == ("服务台",) and (outcome in CLOSURES or outcome == "resolved")
                      and rng.random() < 0.6)
        if first_call:
            handler = dispatcher
        else:
            handler = self.dispatch(story, dispatcher, outcome, pace)
            if handler is None:
                return story
            if outcome == "in_progress":
                self.work_note(story, handler)
                return story
            if outcome.startswith("pending_"):
                self.pend(story, handler, outcome.removeprefix("pending_"), pace)
                return story
            if rng.random() < 0.15:
                self.pend(story, handler, rng.choice(list(WaitingOn)), pace)
                story.then(self.minutes(120, 1800, pace), story.act, actions.resume, handler,
                           note=rng.choice(catalogue.RESUMED))
        if rng.random() < 0.4:
            self.work_note(story, handler)
        code = CLOSURES.get(outcome, ClosureCode.SUCCESSFUL)
        self.resolve(story, handler, code, pace)
        if outcome == "resolved":
            return story
        if outcome == "rejected":
            self.follow_rejection(story, handler, pace)
            return story
        self.close(story)
        return story

    def override_priority(self, story: Story) -> None:
        """The incident manager re-confirms the priority one step up (or down,
        for tickets already at P1/P2)."""
        matrix = priority_for(SEED_004_MATRIX, story.ticket.impact, story.ticket.urgency)
        priority, reasons = (matrix + 1, catalogue.PRIORITY_LOWERED) if matrix <= 2 else \
            (matrix - 1, catalogue.PRIORITY_RAISED)
        story.then(self.minutes(3, 15), story.act, actions.override_priority,
                   self.incident_manager, priority=priority, reason=self.rng.choice(reasons))

    def dispatch(self, story: Story, dispatcher: User, outcome: str, pace: float) -> User | None:
        """Send the ticket along its route; the engineer holding it at the
        end, or None if the story ends with it assigned but not yet accepted."""
        route = story.ticket.template.route
        hops = route if self.rng.random() < 0.5 else route[:1]
        assigner, handler = dispatcher, None
        for hop, team_name in enumerate(hops):
            members = self.org.members(team_name)
            engineer = self.rng.choice(members)
            named = self.rng.random() < 0.6
            wait = (5, 30) if hop == 0 else (30, 240)
            story.then(self.minutes(*wait, pace), story.act, actions.assign, assigner,
                       team=self.org.teams[team_name], assignee=engineer if named else None,
                       note="" if hop == 0 else f"转{team_name}处理。")
            if outcome == "assigned" and hop == len(hops) - 1:
                return None
            story.then(self.minutes(5, 45, pace), story.act, actions.accept, engineer)
            assigner = handler = engineer
        return handler

    def pend(self, story: Story, handler: User, waiting_on: str, pace: float) -> None:
        reasons = catalogue.PENDING_ON_REQUESTER if waiting_on == WaitingOn.REQUESTER \
            else catalogue.PENDING_ON_VENDOR
        story.then(self.minutes(30, 180, pace), story.act, actions.pend, handler,
                   waiting_on=waiting_on, reason=self.rng.choice(reasons))

    def work_note(self, story: Story, handler: User) -> None:
        public = self.rng.random() < 0.35
        text = self.rng.choice(catalogue.PUBLIC_UPDATES if public else catalogue.WORK_NOTES)
        story.then(self.minutes(10, 90), story.act, actions.comment, handler,
                   body=text.format(ci=story.ticket.ci.name), public=public)

    def resolve(self, story: Story, handler: User, code: ClosureCode, pace: float) -> None:
        template, values = story.ticket.template, {"ci": story.ticket.ci.name}
        solution = {
            ClosureCode.SUCCESSFUL: template.solution,
            ClosureCode.WORKAROUND: template.workaround,
            ClosureCode.SUCCESSFUL_WITH_PROBLEM: template.solution + "根因已提交问题管理跟踪。",
        }.get(code) or self.rng.choice(catalogue.UNSUCCESSFUL)
        story.then(self.minutes(30, 480, pace), story.resolve, handler, code,
                   solution.format(**values), recovery_lead=self.rng.randint(5, 25))

    def close(self, story: Story) -> None:
        """After resolution: nothing for monitoring, the desk closes what staff
        raised, the requester (or an agent on their behalf) confirms the rest."""
        channel = story.ticket.channel
        if channel in AUTO_CLOSE_CHANNELS:
            return
        after = self.minutes(60, 1800)
        if channel in STAFF_RAISED_CHANNELS:
            story.then(after, story.act, actions.close, self.rng.choice(self.desk),
                       note=self.rng.choice(catalogue.STAFF_CLOSURES))
        elif story.ticket.requester and self.rng.random() < 0.4:
            story.then(after, story.act, actions.confirm, story.ticket.requester,
                       note="问题已解决，谢谢。")
        else:
            story.then(after, story.act, actions.confirm, self.rng.choice(self.desk),
                       note=self.rng.choice(catalogue.CONFIRMATIONS))

    def follow_rejection(self, story: Story, resolver: User, pace: float) -> None:
        """The requester says it is not solved; the copy goes back to the resolver."""
        requester = story.ticket.requester
        rejecter = requester if requester and self.rng.random() < 0.3 else \
            self.rng.choice(self.desk)
        story.then(self.minutes(120, 1440), story.reject, rejecter,
                   reason=self.rng.choice(catalogue.REJECTIONS))
        story.then(self.minutes(10, 60, pace), story.act, actions.accept, resolver)
        if self.rng.random() < 0.3:
            return
        self.resolve(story, resolver, ClosureCode.SUCCESSFUL, pace)
        self.close(story)
        story.open_for = None

    def start_of(self, story: Story) -> datetime:
        """Register the story so that it ends before now: open tickets
        recently, closed ones anywhere in the history."""
        latest = self.now - story.elapsed - timedelta(minutes=10)
        window = story.open_for or max(HISTORY - story.elapsed, timedelta(hours=1))
        start = latest - self.minutes(0, window.total_seconds() / 60)
        if story.ticket.channel in WITHOUT_REPORTER | AUTO_CLOSE_CHANNELS:
            return start
        # People call during office hours (Shanghai time).
        local = timezone.localtime(start)
        if not 8 <= local.hour < 19:
            office = local.replace(hour=self.rng.randint(8, 18), minute=self.rng.randint(0, 59))
            if office <= latest:
                return office
        return start


def replay(stories: list[Story]) -> None:
    """Run every step of every story in time order, with the clock at its moment."""
    queue = [
        (story.start + offset, index, position, step)
        for index, story in enumerate(stories)
        for position, (offset, step) in enumerate(story.steps)
    ]
    heapq.heapify(queue)
    while queue:
        at, _story, _position, step = heapq.heappop(queue)
        with clock.frozen_at(at):
            step()
