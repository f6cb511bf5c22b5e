"""The incidents alerts raise, through the incident actions, acting as the
source's service user: opening one (for an alert or a storm), folding
earlier ones into a storm, and closing one when its alerts have all cleared.

The incident actions are durable entry points; here they run inside the
caller's transaction (one per alert delivery), so their undecorated form is
called: every rule check, row lock and timeline event still happens.
"""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from opsdesk.core import clock
from opsdesk.core.models import (
    Category,
    ConfigurationItem,
    Customer,
    Service,
    Team,
    TimelineEvent,
)
from opsdesk.incidents import actions
from opsdesk.incidents.choices import Channel, ClosureCode, Kind
from opsdesk.incidents.models import Incident

from .formats import IncomingAlert
from .mapping import IMPACT_ORDER, URGENCY_ORDER, Routing, most_severe
from .models import AlertIncident

SOURCE = "monitoring"
TITLE_LENGTH = 200
LISTED_IN_DESCRIPTION = 20


def _within(action):
    return action.__wrapped__


def open_incident(source, alerts: list[tuple[IncomingAlert, Routing]], *, storm: bool
                  ) -> Incident:
    """Log (and dispatch to the routed team) one incident for `alerts`, all
    of one correlation scope. Stored text is in the site's language."""
    first, routing = alerts[0]
    with translation.override(settings.LANGUAGE_CODE):
        if storm:
            title = _("Alert storm: %(count)d alerts on %(scope)s") % {
                "count": len(alerts), "scope": routing.scope_label}
        else:
            title = _title(first)
        description = _description(source, [alert for alert, _routing in alerts])
    cis = {r.ci_id for _alert, r in alerts}
    routed = _routed_objects(routing, ci_id=cis.pop() if len(cis) == 1 else None)
    incident = _within(actions.log_incident)(
        actor=source.service_user, source=SOURCE, title=title[:TITLE_LENGTH],
        kind=Kind.ALERT, channel=Channel.MONITORING,
        impact=most_severe([r.impact for _alert, r in alerts], IMPACT_ORDER),
        urgency=most_severe([r.urgency for _alert, r in alerts], URGENCY_ORDER),
        description=description, category=routed["category"], ci=routed["ci"],
        service=routed["service"], customer=routed["customer"], reporter_name=source.name,
        occurred_at=min(min(alert.starts_at for alert, _r in alerts), clock.now()),
    )
    if routed["team"] is not None:
        incident = _within(actions.assign)(incident, actor=source.service_user, source=SOURCE,
                                           expected_version=None, team=routed["team"])
    AlertIncident.objects.create(incident=incident, source=source, scope=routing.scope,
                                 storm=storm, opened_at=clock.now())
    return incident


def _routed_objects(routing: Routing, *, ci_id) -> dict:
    """The objects a routing names by id (a row deleted meanwhile: none)."""
    wanted = {"category": (Category, routing.category_id), "ci": (ConfigurationItem, ci_id),
              "service": (Service, routing.service_id),
              "customer": (Customer, routing.customer_id), "team": (Team, routing.team_id)}
    return {name: model.objects.filter(pk=pk).first() if pk is not None else None
            for name, (model, pk) in wanted.items()}


def _title(alert: IncomingAlert) -> str:
    title = alert.summary or alert.name
    if alert.host and alert.host not in title:
        title = f"{title} ({alert.host})"
    return title


def _description(source, alerts: list[IncomingAlert]) -> str:
    lines = [_("Raised by the monitoring source %(source)s.") % {"source": source.name}]
    for alert in alerts[:LISTED_IN_DESCRIPTION]:
        lines.append("")
        lines.append(f"[{alert.severity or '-'}] {alert.name}" + (
            f" @ {alert.host}" if alert.host else ""))
        lines.extend(text for text in (alert.summary, alert.description, alert.url) if text)
        lines.append(", ".join(f"{key}={value}" for key, value in sorted(alert.labels.items())))
    if len(alerts) > LISTED_IN_DESCRIPTION:
        lines.append("")
        lines.append(_("… and %(n)d more: see the alerts on this page.")
                     % {"n": len(alerts) - LISTED_IN_DESCRIPTION})
    return "\n".join(lines)


def taken_over(incident: Incident, service_user) -> bool:
    """A person has the incident in hand: it is assigned to or accepted by
    someone, or anyone but the service user did anything on it (edit,
    comment, dispatch, priority…). Automatic escalations are no one's."""
    if incident.assignee_id is not None:
        return True
    return TimelineEvent.objects.filter(
        subject_type=Incident.TIMELINE_TYPE, subject_id=incident.pk, actor__isnull=False,
    ).exclude(actor=service_user).exists()


def fold_into_storm(source, storm: Incident, earlier: list[Incident]) -> list[Incident]:
    """Link the scope's earlier single-alert incidents that nobody has taken
    over as duplicates of the storm incident; returns the ones linked."""
    linked = []
    for incident in earlier:
        if taken_over(incident, source.service_user):
            continue
        _within(actions.link_duplicate)(incident, actor=source.service_user, source=SOURCE,
                                        expected_version=None, master=storm)
        linked.append(incident)
    return linked


def finish(source, incident: Incident, recovered_at) -> bool:
    """Every alert of `incident` has cleared: resolve it as successful with
    the business-recovery time, which for monitoring closes it at once
    (INC-15). Not if a person has taken it over, or if it lacks what a
    resolution needs; then say so on it. True if it was closed."""
    user = source.service_user
    with translation.override(settings.LANGUAGE_CODE):
        if taken_over(incident, user):
            note = _("All alerts have cleared. Someone has taken this incident over, so it "
                     "is left for them to resolve.")
        elif incident.category_id is None or incident.ci_id is None:
            note = _("All alerts have cleared, but the incident cannot be closed "
                     "automatically: it needs a category and a configuration item.")
        else:
            count = incident.alerts.count()
            solution = ngettext("The alert cleared (monitoring source %(source)s).",
                                "All %(n)d alerts cleared (monitoring source %(source)s).",
                                count) % {"n": count, "source": source.name}
            _within(actions.resolve)(
                incident, actor=user, source=SOURCE, expected_version=None,
                closure_code=ClosureCode.SUCCESSFUL, solution=solution,
                business_recovered_at=min(max(recovered_at, incident.occurred_at),
                                          clock.now()))
            return True
        _within(actions.comment)(incident, actor=user, source=SOURCE, body=note, public=False)
    return False
