from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportedRecord(models.Model):
    """An incident brought in from another tool: which ticket of which source
    it is, and what of its history has been applied, so that importing the
    same file again changes nothing and a later export appends only the newer
    events.

    `event_digests` fingerprints every applied source event (imports.history);
    `state` holds the tracked fields as the last applied event left them, the
    starting point of the next appended event's changes; `incident_version`
    is the incident's version after the last import: a higher version means
    someone changed it in OpsDesk since, and newer source events are then
    reported rather than written over that change."""

    source = models.CharField(_("source system"), max_length=40)
    external_number = models.CharField(_("number in the source system"), max_length=100)
    incident = models.OneToOneField("incidents.Incident", verbose_name=_("incident"),
                                    on_delete=models.CASCADE, related_name="imported")
    event_digests = models.JSONField(_("imported events"), default=list, editable=False)
    state = models.JSONField(default=dict, editable=False)
    incident_version = models.PositiveIntegerField(editable=False)
    reopen_count = models.PositiveIntegerField(_("reopened in the source system"), default=0)
    used_knowledge = models.BooleanField(
        _("knowledge base used"), default=False,
        help_text=_("The source system recorded that a knowledge article helped (INC-07)."))
    imported_at = models.DateTimeField(_("first imported at"))
    updated_at = models.DateTimeField(_("last imported at"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "external_number"],
                                               name="imported_once_per_source")]
        indexes = [models.Index(fields=["used_knowledge"], name="imported_used_knowledge",
                                condition=models.Q(used_knowledge=True))]
        verbose_name = _("imported ticket")
        verbose_name_plural = _("imported tickets")

    def __str__(self):
        return f"{self.source}:{self.external_number}"
