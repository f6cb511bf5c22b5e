from django.db import models
from django.utils.translation import gettext_lazy as _


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEWED = "reviewed", _("Reviewed")
    RETIRED = "retired", _("Retired")

    @property
    def badge(self) -> str:
        return {"draft": "amber", "reviewed": "green", "retired": "slate"}[self.value]


class Language(models.TextChoices):
    ZH_HANS = "zh-hans", "简体中文"
    EN = "en", "English"


class Origin(models.TextChoices):
    """Where an article's text came from."""

    WRITTEN = "written", _("Written by hand")
    INCIDENT = "incident", _("Resolved incident")
    KNOWN_ERROR = "known_error", _("Known error")


class Step(models.TextChoices):
    """Everything that can happen to an article; the keys of rules.STEPS."""

    EDIT = "edit", _("Edit")
    APPROVE = "approve", _("Approve")
    SEND_BACK = "send_back", _("Send back")
    RETIRE = "retire", _("Retire")
