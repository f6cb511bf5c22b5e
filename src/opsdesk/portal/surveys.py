"""The satisfaction survey (INC-19): owed when a requester's ticket closes,
mailed by the worker after OPSDESK_SURVEY_DELAY_HOURS, reminded once after
OPSDESK_SURVEY_REMINDER_DAYS if unanswered, answered in the portal.

The result is kept on the incident too (satisfaction score, complaint
count: INC-02), as the one exception to "a closed incident never changes":
those two fields only ever exist after closure."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opsdesk.core import clock, outbox, timeline
from opsdesk.core.claims import claim
from opsdesk.core.errors import Forbidden, Invalid, NotFound, OpsDeskError
from opsdesk.incidents.choices import ClosureCode
from opsdesk.incidents.models import Incident
from opsdesk.incidents.validation import optional_text, required_text

from .models import SurveyInvitation, SurveyResponse

SCORES = (1, 2, 3, 4, 5)
SURVEY_WINDOW = timedelta(days=7)


class SurveyAnswered(OpsDeskError):
    code = "survey_answered"
    status = 409
    default_message = gettext_lazy("This survey has already been answered. Thank you!")


def invite_after_closure(incident: Incident) -> SurveyInvitation | None:
    """Called in the transaction that closes `incident`. No survey for a
    duplicate (its master's requester is asked), for a rejected resolution
    (the copy is asked when it closes), or without a requester to mail."""
    requester = incident.requester
    if (incident.duplicate_of_id is not None
            or incident.closure_code == ClosureCode.UNSUCCESSFUL
            or requester is None or not requester.is_active or not requester.email):
        return None
    now = clock.now()
    invitation, _created = SurveyInvitation.objects.get_or_create(incident=incident, defaults={
        "recipient": requester, "created_at": now,
        "next_mail_at": now + timedelta(hours=settings.OPSDESK_SURVEY_DELAY_HOURS),
    })
    return invitation


class SendSurveys:
    """Worker handler: send one due survey mail (invitation or reminder)."""

    name = "send-surveys"

    def handle_one(self) -> bool:
        with transaction.atomic():
            now = clock.now()
            due = claim(SurveyInvitation.objects.filter(next_mail_at__lte=now), 1)
            if not due:
                return False
            invitation = SurveyInvitation.objects.select_related(
                "incident", "recipient").get(pk=due[0])
            if now - invitation.created_at >= SURVEY_WINDOW:
                # The worker was down (or the demo replayed old closures):
                # too late to ask, and INC-19 says within a week.
                invitation.next_mail_at = None
                invitation.save(update_fields=["next_mail_at"])
                return True
            reminder = invitation.sent_at is not None
            if reminder:
                invitation.reminded_at, invitation.next_mail_at = now, None
            else:
                invitation.sent_at = now
                invitation.next_mail_at = now + timedelta(
                    days=settings.OPSDESK_SURVEY_REMINDER_DAYS)
            invitation.save(update_fields=["sent_at", "reminded_at", "next_mail_at"])
            template = "survey_reminder" if reminder else "survey_invitation"
            incident = invitation.incident
            outbox.enqueue(incident, event=template, recipients=[invitation.recipient],
                           context={"incident": incident, "survey_url": survey_url(incident)})
        return True


def survey_url(incident: Incident) -> str:
    return settings.OPSDESK_BASE_URL + reverse("portal:ticket", args=[incident.number]) + "#survey"


def open_invitation(user, incident: Incident) -> SurveyInvitation | None:
    """The survey `user` may answer now on this incident, if any."""
    return SurveyInvitation.objects.filter(
        incident=incident, recipient=user, response__isnull=True).first()


@transaction.atomic(durable=True)
def answer(incident: Incident, *, actor, source: str, score, comment: str = "",
           complaint: bool = False, complaint_text: str = "") -> SurveyResponse:
    """Record the requester's answer, once. A complaint needs its details."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    invitation = SurveyInvitation.objects.select_for_update().filter(incident=incident).first()
    if invitation is None:
        raise NotFound(_("There is no survey for this incident."))
    if invitation.recipient_id != actor.pk:
        raise Forbidden(_("Only the requester answers the survey of this incident."))
    if SurveyResponse.objects.filter(invitation=invitation).exists():
        raise SurveyAnswered()
    errors = {}
    if isinstance(score, bool) or score not in SCORES:
        errors["score"] = _("Choose a score from 1 (very dissatisfied) to 5 (very satisfied).")
    comment = optional_text(comment, "comment", 5000, errors)
    complaint = bool(complaint)
    complaint_text = (required_text if complaint else optional_text)(
        complaint_text, "complaint_text", 5000, errors)
    if errors:
        raise Invalid(fields=errors)
    now = clock.now()
    response = SurveyResponse.objects.create(
        invitation=invitation, score=score, comment=comment, complaint=complaint,
        complaint_text=complaint_text if complaint else "", answered_at=now)
    invitation.next_mail_at = None
    invitation.save(update_fields=["next_mail_at"])
    changes = {"satisfaction_score": [None, score]}
    if complaint:
        changes["complaint_count"] = [incident.complaint_count, incident.complaint_count + 1]
    incident.satisfaction_score = score
    incident.complaint_count += int(complaint)
    incident.save(update_fields=["satisfaction_score", "complaint_count"])
    timeline.record(incident, actor=actor, source=source, kind="survey_answered", public=True,
                    changes=changes, note="\n\n".join(filter(None, [comment, complaint_text])))
    return response
