"""Every change this app makes: alert sources, maintenance windows, and
receiving one webhook delivery (one transaction per delivery, which for
Alertmanager is one alert group)."""

import hashlib
import json
import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opsdesk.core import clock
from opsdesk.core.choices import Role
from opsdesk.core.errors import Invalid
from opsdesk.core.models import User

from . import formats, store
from .choices import SourceKind
from .correlation import correlate
from .models import AlertSource, Delivery, MaintenanceWindow

SOURCE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")


@transaction.atomic(durable=True)
def receive(source: AlertSource, payload) -> dict:
    """Record what a delivery says and correlate it. The same delivery again
    (same JSON, in any key order) changes nothing and answers what the first
    one did, marked `duplicate`. A payload that does not parse changes nothing."""
    now = clock.now()
    context = formats.Context(now=now, zone=timezone.get_default_timezone())
    try:
        alerts = formats.parse(source.kind, payload, context)
    except formats.PayloadError as error:
        raise Invalid(fields={error.field_name: str(error.message)}) from None
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False,
                                       separators=(",", ":")).encode()).hexdigest()
    delivery_id = store.claim_delivery(source.pk, digest, now, len(alerts))
    if delivery_id is None:
        earlier = Delivery.objects.get(source=source, digest=digest)
        return {**earlier.outcome, "duplicate": True}
    outcome = correlate(source, alerts, now=now).as_dict()
    store.record_outcome(delivery_id, outcome)
    return {**outcome, "duplicate": False}


@transaction.atomic(durable=True)
def create_source(*, name: str, kind: str, team=None, category=None, customer=None
                  ) -> tuple[AlertSource, str]:
    """A new source with its service user (no password: nobody signs in as
    it); returns the source and its token, which is not stored."""
    errors = {}
    name = (name or "").strip().lower()
    if not SOURCE_NAME.match(name):
        errors["name"] = _("Use 1-60 lower-case letters, digits, “-” or “_”, starting with "
                           "a letter or digit.")
    elif AlertSource.objects.filter(name=name).exists():
        errors["name"] = _("An alert source named “%(name)s” already exists.") % {"name": name}
    if kind not in SourceKind.values:
        errors["kind"] = _("Choose one of: %(options)s.") % {
            "options": ", ".join(SourceKind.values)}
    if errors:
        raise Invalid(fields=errors)
    # The incident rules let managers work any team's tickets: the service
    # user must resolve what it dispatched to whichever team a rule chose.
    user = User(username=f"{name}@alerts", display_name=_("Monitoring: %(name)s")
                % {"name": name}, role=Role.ADMIN, is_robot=True)
    user.set_unusable_password()
    user.save()
    source = AlertSource(name=name, kind=kind, service_user=user, default_team=team,
                         default_category=category, default_customer=customer)
    token = source.issue_token()
    source.save()
    return source, token


@transaction.atomic(durable=True)
def add_maintenance_window(*, actor, starts_at, ends_at, reason: str, ci=None, service=None
                           ) -> MaintenanceWindow:
    errors = {}
    if ci is None and service is None:
        errors["ci"] = _("Name a configuration item or a service.")
    if starts_at is None or timezone.is_naive(starts_at):
        errors["starts_at"] = _("Give a time zone with the time.")
    if ends_at is None or timezone.is_naive(ends_at):
        errors["ends_at"] = _("Give a time zone with the time.")
    elif "starts_at" not in errors and ends_at <= starts_at:
        errors["ends_at"] = _("The end must be after the start.")
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("This field is required.")
    if errors:
        raise Invalid(fields=errors)
    return MaintenanceWindow.objects.create(ci=ci, service=service, starts_at=starts_at,
                                            ends_at=ends_at, reason=reason, created_by=actor)
