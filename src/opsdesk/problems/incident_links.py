"""INC-16 inside the incident's resolve action: a workaround closure (变通关闭)
or "successful, problem raised" (成功但有问题) must name a problem — an
existing one, or "new" to raise one from the incident — unless the incident
is linked to one already. Called within the incident action's transaction."""

from django.utils.translation import gettext as _

from opsdesk.core.errors import Invalid, OpsDeskError
from opsdesk.incidents.choices import PROBLEM_CLOSURE_CODES, ClosureCode

from . import records, rules
from .choices import Source, State
from .models import Problem, ProblemIncident

NEW = "new"


def problem_for_resolution(incident, closure_code, problem, actor, errors: dict):
    """The problem this resolution links to: a Problem, NEW, or None when the
    closure code needs none or the incident is linked already. Adds to
    `errors` what is wrong."""
    if problem in (None, "") and closure_code not in PROBLEM_CLOSURE_CODES:
        return None
    if problem in (None, ""):
        if ProblemIncident.objects.filter(incident=incident).exclude(
                problem__state__in=(State.PROPOSED, State.DISMISSED)).exists():
            return None
        errors["problem"] = _(
            "This closure code needs a problem record: choose a problem or raise a new one.")
        return None
    if problem == NEW:
        if not rules.may_raise(actor):
            errors["problem"] = _("Your role may not raise a problem.")
        return NEW
    if not isinstance(problem, Problem):
        errors["problem"] = _("Give a problem number or “new”.")
        return None
    if rules.is_final(problem) or problem.state == State.PROPOSED:
        errors["problem"] = _("Problem %(number)s is not open.") % {"number": problem.number}
        return None
    return problem


def link_resolved(incident, problem, *, actor, source: str) -> Problem | None:
    """After the incident is resolved: raise the new problem, then link."""
    if problem is None:
        return None
    if problem == NEW:
        origin = (Source.INCIDENT_WORKAROUND if incident.closure_code == ClosureCode.WORKAROUND
                  else Source.UNKNOWN_CAUSE)
        problem = records.open_problem(actor=actor, source=source, origin=origin,
                                       fields=records.from_incident(incident))
    records.link(problem, incident, actor=actor, source=source,
                 reason=ProblemIncident.Reason.RESOLUTION)
    return problem


def named_problem(user, value: str | None):
    """What a resolve form or API body named: None, NEW, or the problem
    (loaded through the access gate); Invalid on the `problem` field otherwise."""
    from .queries import get_problem_for

    text = (value or "").strip()
    if not text:
        return None
    if text.lower() == NEW:
        return NEW
    try:
        return get_problem_for(user, text.upper())
    except OpsDeskError as error:
        raise Invalid(fields={"problem": error.message}) from None
