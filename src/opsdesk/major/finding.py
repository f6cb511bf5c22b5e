"""Which contingency plans apply to an incident (101.2): those of its
configuration item, of its service, and of every business service that
depends on the item (CMDB impact analysis)."""

from django.db.models import Q

from opsdesk.cmdb import impact
from opsdesk.core.models import Service

from .models import ContingencyPlan


def affected_services(incident) -> list[Service]:
    """The incident's service, its item's service, and the services that
    depend on the item, each once, by name."""
    ids = {incident.service_id} if incident.service_id else set()
    if incident.ci_id:
        ci = incident.ci
        if ci.service_id:
            ids.add(ci.service_id)
        service_items = [item.pk for item in impact.affected_services(ci)]
        ids.update(Service.objects.filter(ci__in=[ci.pk, *service_items])
                   .values_list("pk", flat=True))
    return list(Service.objects.filter(pk__in=ids).order_by("name"))


def plans_for(incident, services: list[Service] | None = None) -> list[ContingencyPlan]:
    if services is None:
        services = affected_services(incident)
    scope = Q(services__in=services)
    if incident.ci_id:
        scope |= Q(cis=incident.ci_id)
    found = ContingencyPlan.objects.filter(scope).values("pk").distinct()
    return list(ContingencyPlan.objects.filter(pk__in=found).order_by("name"))
