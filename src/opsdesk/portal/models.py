import hashlib

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

USER = settings.AUTH_USER_MODEL


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class SignInLink(models.Model):
    """One request for an e-mailed sign-in link.

    A row is kept for every request, also for an address no requester has
    (then without user or token), so that the rate limit per address answers
    the same either way. Only digests are stored: of the address, and of the
    token the mail carries."""

    TIMELINE_TYPE = "signin_link"

    address_digest = models.CharField(max_length=64)
    user = models.ForeignKey(USER, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")
    token_digest = models.CharField(max_length=64, unique=True, null=True, blank=True)
    requested_at = models.DateTimeField(_("requested at"))
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["address_digest", "requested_at"], name="signin_link_address"),
            models.Index(fields=["requested_at"], name="signin_link_requested"),
        ]
        verbose_name = _("sign-in link")
        verbose_name_plural = _("sign-in links")

    def __str__(self):
        return f"{self.user or '—'} {self.requested_at:%Y-%m-%d %H:%M}"


class SurveyInvitation(models.Model):
    """A satisfaction survey owed to the requester of a closed incident
    (INC-19). `next_mail_at` is when the worker sends the next mail (the
    invitation, then one reminder); null once nothing more is to be sent."""

    incident = models.OneToOneField(
        "incidents.Incident", verbose_name=_("incident"), on_delete=models.CASCADE,
        related_name="survey",
    )
    recipient = models.ForeignKey(USER, verbose_name=_("recipient"), on_delete=models.PROTECT,
                                  related_name="+")
    created_at = models.DateTimeField(_("created at"))
    next_mail_at = models.DateTimeField(_("next mail at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("survey sent at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["next_mail_at"], name="survey_mail_due",
                         condition=models.Q(next_mail_at__isnull=False)),
        ]
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")

    def __str__(self):
        return f"{self.incident_id} → {self.recipient}"


class SurveyResponse(models.Model):
    invitation = models.OneToOneField(
        SurveyInvitation, verbose_name=_("survey invitation"), on_delete=models.CASCADE,
        related_name="response",
    )
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    comment = models.TextField(_("comment"), blank=True)
    complaint = models.BooleanField(_("complaint"), default=False)
    complaint_text = models.TextField(_("complaint details"), blank=True)
    answered_at = models.DateTimeField(_("answered at"))

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5),
                                   name="survey_score_1_5"),
        ]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")

    def __str__(self):
        return f"{self.invitation_id}: {self.score}"
