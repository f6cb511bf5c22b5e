"""CI types with their attribute definitions, and the relationships between
configuration items. The configuration item itself is core.ConfigurationItem,
which incidents, alerts and SLAs already point to."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import AttributeKind, RelationshipKind


class CiType(models.Model):
    """A kind of configuration item (server, database, business service …).
    Items point to it by `code`, so a type's code never changes."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name = _("CI type")
        verbose_name_plural = _("CI types")

    def __str__(self):
        return self.name


class CiAttribute(models.Model):
    """One typed attribute every item of a type may (or must) carry."""

    ci_type = models.ForeignKey(CiType, verbose_name=_("CI type"), on_delete=models.CASCADE,
                                related_name="attributes")
    key = models.SlugField(_("key"), max_length=40)
    label = models.CharField(_("label"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=AttributeKind.choices,
                            default=AttributeKind.TEXT)
    options = models.CharField(
        _("options"), max_length=500, blank=True,
        help_text=_("For a choice: the allowed values, separated by commas."))
    required = models.BooleanField(_("required"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["ci_type", "position", "key"]
        constraints = [
            models.UniqueConstraint(fields=["ci_type", "key"], name="ci_attribute_key_per_type"),
        ]
        verbose_name = _("CI attribute")
        verbose_name_plural = _("CI attributes")

    def __str__(self):
        return f"{self.ci_type.code}.{self.key}"

    @property
    def choices(self) -> list[str]:
        return [value.strip() for value in self.options.split(",") if value.strip()]


class CiRelationship(models.Model):
    """“source kind target”, e.g. “app-01 runs on vm-07”. See choices.py for
    which end depends on which."""

    source = models.ForeignKey("core.ConfigurationItem", verbose_name=_("source"),
                               on_delete=models.CASCADE, related_name="outgoing")
    kind = models.CharField(_("kind"), max_length=20, choices=RelationshipKind.choices)
    target = models.ForeignKey("core.ConfigurationItem", verbose_name=_("target"),
                               on_delete=models.CASCADE, related_name="incoming")

    TIMELINE_TYPE = "ci_relationship"

    class Meta:
        ordering = ["source", "kind", "target"]
        constraints = [
            models.UniqueConstraint(fields=["source", "kind", "target"],
                                    name="ci_relationship_unique"),
            models.CheckConstraint(condition=~models.Q(source=models.F("target")),
                                   name="ci_relationship_not_to_itself"),
        ]
        # The impact walk follows edges from either end: the unique constraint
        # serves the walk from the source, this index the walk from the target.
        indexes = [
            models.Index(fields=["target", "kind", "source"], name="ci_relationship_by_target"),
        ]
        verbose_name = _("CI relationship")
        verbose_name_plural = _("CI relationships")

    def __str__(self):
        return f"{self.source} {self.get_kind_display()} {self.target}"
