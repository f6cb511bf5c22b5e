"""Which incident a mail belongs to, if any (issue 4, e-mail item 3).

A reply names our outbound messages in In-Reply-To/References: either a
notification's own Message-ID `<REFERENCE.HEX@domain>` or the record's thread
id `<incident-REFERENCE@domain>` (core/channels/email.py). Failing that, the
`[INC-…]` tag in the subject counts, but only from someone who already takes
part in that incident: a tag alone is easy to type or to forward to strangers.
"""

import re

from django.db.models import Q

from opsdesk.core.channels.email import mail_domain
from opsdesk.core.models import Notification, TimelineEvent
from opsdesk.incidents.models import Incident

from .message import ParsedMail
from .models import InboundMessage, Outcome

_OUR_ID = re.compile(r"<(?:incident-(?P<thread>[^@>]+)|(?P<ref>[^@>]+)\.[0-9a-f]{16})"
                     r"@(?P<domain>[^>]+)>", re.IGNORECASE)
_TAG = re.compile(r"\[(INC-\d{8}-\d{4,})\]", re.IGNORECASE)


def ours(message_id: str) -> bool:
    """Is this one of the Message-IDs our notifications carry?"""
    match = _OUR_ID.fullmatch(message_id.strip())
    return bool(match) and match["domain"].lower() == mail_domain().lower()


def incident_by_headers(parsed: ParsedMail) -> Incident | None:
    # The newest reference first: the message replied to is the most specific.
    for message_id in (*parsed.in_reply_to, *reversed(parsed.references)):
        match = _OUR_ID.fullmatch(message_id.strip())
        if not match or match["domain"].lower() != mail_domain().lower():
            continue
        if match["thread"]:
            incident = Incident.objects.filter(number=match["thread"].upper()).first()
        else:
            incident = _incident_of_notification(message_id)
        if incident is not None:
            return incident
    return None


def _incident_of_notification(message_id: str) -> Incident | None:
    notification = notification_with(message_id)
    if notification is None or notification.subject_type != Incident.TIMELINE_TYPE:
        return None
    return Incident.objects.filter(pk=notification.subject_id).first()


def notification_with(message_id: str) -> Notification | None:
    """Our notification with this Message-ID, found through its record's
    number (Notification.message_id has no index of its own)."""
    match = _OUR_ID.fullmatch(message_id.strip())
    if not match or not match["ref"] or match["domain"].lower() != mail_domain().lower():
        return None
    incident_pk = Incident.objects.filter(number=match["ref"].upper()).values_list(
        "pk", flat=True).first()
    if incident_pk is None:
        return None
    return Notification.objects.filter(
        subject_type=Incident.TIMELINE_TYPE, subject_id=incident_pk,
        message_id=message_id.strip(),
    ).first()


def incident_by_tag(parsed: ParsedMail) -> Incident | None:
    """The incident tagged in the subject, if the sender takes part in it."""
    match = _TAG.search(parsed.subject)
    if not match:
        return None
    incident = (Incident.objects.select_related("requester", "assignee")
                .filter(number=match[1].upper()).first())
    if incident is None or parsed.sender_address not in participants(incident):
        return None
    return incident


def participants(incident: Incident) -> set[str]:
    """Lower-cased addresses of everyone who takes part in the incident: the
    requester, the reporter, the assignee, whoever commented or wrote in."""
    addresses = {incident.reporter_email}
    for user in (incident.requester, incident.assignee):
        if user is not None:
            addresses.add(user.email)
    addresses.update(TimelineEvent.objects.filter(
        subject_type=Incident.TIMELINE_TYPE, subject_id=incident.pk, kind="comment",
    ).exclude(actor=None).values_list("actor__email", flat=True))
    addresses.update(InboundMessage.objects.filter(
        Q(incident=incident) | Q(follow_up_of=incident),
        outcome__in=[Outcome.CREATED, Outcome.COMMENTED],
    ).values_list("sender", flat=True))
    return {address.lower() for address in addresses if address}


def find_incident(parsed: ParsedMail) -> Incident | None:
    return incident_by_headers(parsed) or incident_by_tag(parsed)
