"""POST /api/v1/alerts/{source}: the webhook monitoring systems call, with
the source's own token (`Authorization: Bearer TOKEN`), not a user's."""

import hmac
import json

from django.core.exceptions import RequestDataTooBig
from django.utils.translation import gettext as _
from ninja import Router, Schema

from opsdesk.core.errors import Forbidden, Invalid, NotAuthenticated, NotFound
from opsdesk.core.models import ApiToken

from . import actions, store
from .models import AlertSource

router = Router(tags=["alerts"])


class DeliveryRead(Schema):
    duplicate: bool
    alerts: int
    new: int
    repeats: int
    resolved: int
    suppressed: int
    flapping: int
    incidents_opened: list[str]
    incidents_closed: list[str]


def authenticated_source(request, name: str) -> AlertSource:
    source = store.source_named(name)
    if source is None:
        raise NotFound(_("There is no alert source named “%(name)s”.") % {"name": name})
    scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
            ApiToken.digest_of(token.strip()), source.digest):
        raise NotAuthenticated(_("Send this alert source’s token: "
                                 "Authorization: Bearer TOKEN."))
    if not source.active:
        raise Forbidden(_("The alert source “%(name)s” is switched off.") % {"name": name})
    return source


@router.post("/{source}", auth=None, response=DeliveryRead,
             summary="Receive alerts from a monitoring source")
def receive_alerts(request, source: str):
    """Alertmanager (webhook v4), Grafana, Zabbix or generic JSON, as the
    source's kind says. Repeats of a delivery change nothing (`duplicate`)."""
    alert_source = authenticated_source(request, source)
    try:
        payload = json.loads(request.body)
    except RequestDataTooBig:
        raise Invalid(fields={"body": _(
            "The delivery is too large: send fewer alerts per call (Alertmanager: "
            "max_alerts).")}) from None
    except ValueError:
        raise Invalid(fields={"body": _("The request body is not valid JSON.")}) from None
    return actions.receive(alert_source, payload)
