from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from opsdesk.core.models import Category, ConfigurationItem, Service

from .choices import ArticleStatus, Language, Origin


class Article(models.Model):
    """A knowledge-base article (知识库文章): symptoms, cause and solution of
    something that happens again, found by Chinese full-text search.

    `search_title` and `search_body` hold the text segmented into words
    (segment.py); the database indexes them: on PostgreSQL a generated
    tsvector column with a GIN index, on SQLite an FTS5 table kept by
    triggers (migration 0002). Neither is a model field."""

    TIMELINE_TYPE = "article"

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    language = models.CharField(_("language"), max_length=10, choices=Language.choices,
                                default=Language.ZH_HANS)
    title = models.CharField(_("title"), max_length=200)
    category = models.ForeignKey(Category, verbose_name=_("category"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    cis = models.ManyToManyField(ConfigurationItem, verbose_name=_("configuration items"),
                                 blank=True, related_name="+")
    services = models.ManyToManyField(Service, verbose_name=_("services"), blank=True,
                                      related_name="+")
    symptoms = models.TextField(_("symptoms"), blank=True)
    cause = models.TextField(_("cause"), blank=True)
    solution = models.TextField(_("solution"))
    status = models.CharField(_("status"), max_length=20, choices=ArticleStatus.choices,
                              default=ArticleStatus.DRAFT)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"),
                               on_delete=models.PROTECT, related_name="+")
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("last edited by"),
                                  on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewer"),
                                 null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)
    origin = models.CharField(_("origin"), max_length=20, choices=Origin.choices,
                              default=Origin.WRITTEN)
    reference = models.CharField(_("origin record"), max_length=60, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    used_count = models.PositiveIntegerField(_("times used"), default=0)
    created_at = models.DateTimeField(_("created at"), editable=False)
    updated_at = models.DateTimeField(_("updated at"), editable=False)
    search_title = models.TextField(editable=False, blank=True)
    search_body = models.TextField(editable=False, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["status", "-updated_at"], name="article_status_updated"),
                   models.Index(fields=["origin", "reference"], name="article_origin")]
        verbose_name = _("knowledge article")
        verbose_name_plural = _("knowledge articles")

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("knowledge:detail", args=[self.number])

    @property
    def status_label(self):
        return ArticleStatus(self.status).label


class ArticleUse(models.Model):
    """An article that helped resolve an incident (INC-07): what the
    knowledge-base utilisation KPI counts."""

    incident = models.ForeignKey("incidents.Incident", verbose_name=_("incident"),
                                 on_delete=models.CASCADE, related_name="article_uses")
    article = models.ForeignKey(Article, verbose_name=_("article"), on_delete=models.PROTECT,
                                related_name="uses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"),
                             on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("recorded at"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["incident", "article"],
                                               name="article_use_once_per_incident")]
        verbose_name = _("article use")
        verbose_name_plural = _("article uses")

    def __str__(self):
        return f"{self.article.number} → {self.incident.number}"
