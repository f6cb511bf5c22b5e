"""What follows "emergency lifted" (101.6), inside the lift's transaction:
the stored report, the mails, and the problem with the handling details."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from opsdesk.core import clock, outbox
from opsdesk.problems import records as problem_records
from opsdesk.problems.choices import Level, Source
from opsdesk.problems.models import ProblemIncident

from . import broadcast, finding, report
from .models import MajorIncidentReport


def conclude(major, *, actor, source: str) -> MajorIncidentReport:
    incident = major.incident
    services = finding.affected_services(incident)
    members = list(major.team.select_related("user").order_by("id"))
    content = report.build(
        major, services=services, team=members,
        steps=major.steps.select_related("done_by").order_by("position", "id"),
        updates=major.updates.select_related("author").order_by("at", "id"))
    with translation.override(settings.LANGUAGE_CODE):  # stored text: the site's language
        title = _("Major incident %(number)s: %(title)s") % content
        details = report.handling_details(content)
    problem = problem_records.open_problem(
        actor=actor, source=source, origin=Source.MAJOR_INCIDENT, fields={
            "title": title[:200], "description": details,
            "symptoms": incident.symptoms or incident.description, "level": Level.HIGH,
            "ci": incident.ci, "service": incident.service})
    problem_records.link(problem, incident, actor=actor, source=source,
                         reason=ProblemIncident.Reason.RAISED)
    major.problem = problem
    major.save(update_fields=["problem"])
    content["problem"] = problem.number
    stored = MajorIncidentReport.objects.create(major_incident=major, generated_at=clock.now(),
                                                content=content)
    outbox.enqueue_many([
        outbox.Message(incident, "major_report", broadcast.report_audience(), {
            "incident": incident, "major": major, "services": services, "problem": problem,
            "recovery": lazy(report.duration, str)(content["recovery_minutes"]),
            "report_link": settings.OPSDESK_BASE_URL + reverse("major:report",
                                                               args=[major.number])}),
        outbox.Message(incident, "major_lifted",
                       [*(member.user for member in members), *broadcast.requester_of(incident)],
                       {"incident": incident, "major": major, "services": services}),
    ], actor=actor)
    return stored
