import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models, transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .choices import CustomerClass, Role, Tier


class Team(models.Model):
    """A support group (支持组) at one tier, with a lead."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    tier = models.CharField(_("tier"), max_length=20, choices=Tier.choices)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("team lead"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    email = models.EmailField(_("e-mail"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self):
        return self.name


class Customer(models.Model):
    """An organisation the service desk serves."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    customer_class = models.CharField(
        _("customer class"), max_length=10, choices=CustomerClass.choices,
        default=CustomerClass.NORMAL,
    )
    requesters_see_organisation = models.BooleanField(
        _("requesters see the organisation's tickets"), default=False,
        help_text=_("In the self-service portal, each requester of this customer sees every "
                    "ticket of the customer, not only their own."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self):
        return self.name

    @property
    def is_vip(self) -> bool:
        return self.customer_class == CustomerClass.VIP


class Contract(models.Model):
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contracts"
    )
    number = models.CharField(_("contract number"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    services = models.ManyToManyField(
        "Service", verbose_name=_("services"), blank=True, related_name="contracts"
    )

    class Meta:
        ordering = ["customer__name", "number"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")

    def __str__(self):
        return f"{self.number} {self.title}"


class Service(models.Model):
    """A service catalogue entry."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    description = models.TextField(_("description"), blank=True)
    owner_team = models.ForeignKey(
        Team, verbose_name=_("owner team"), null=True, blank=True, on_delete=models.SET_NULL
    )
    # The service as a configuration item of type “business service”: the node
    # the CMDB's relationships and impact analysis reach. One-to-one, so the
    # catalogue keeps its own fields and every existing reference to a Service.
    ci = models.OneToOneField(
        "ConfigurationItem", verbose_name=_("configuration item"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="business_service",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self):
        return self.name


class CiStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_SERVICE = "in_service", _("In service")
    MAINTENANCE = "maintenance", _("Maintenance")
    RETIRED = "retired", _("Retired")


class ConfigurationItem(models.Model):
    """A configuration item (配置项). Its type (cmdb.CiType) defines which
    attributes it carries; relationships live in cmdb.CiRelationship."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    type = models.ForeignKey(
        "cmdb.CiType", verbose_name=_("type"), to_field="code", on_delete=models.PROTECT,
        related_name="items",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=CiStatus.choices, default=CiStatus.IN_SERVICE
    )
    owner_team = models.ForeignKey(
        Team, verbose_name=_("owner team"), null=True, blank=True, on_delete=models.SET_NULL
    )
    service = models.ForeignKey(
        Service, verbose_name=_("service"), null=True, blank=True, on_delete=models.SET_NULL
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), null=True, blank=True, on_delete=models.SET_NULL
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    vendor = models.CharField(_("vendor"), max_length=200, blank=True)
    contract = models.CharField(_("support contract"), max_length=100, blank=True)
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)

    TIMELINE_TYPE = "ci"

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["type", "name"], name="ci_by_type")]
        verbose_name = _("configuration item")
        verbose_name_plural = _("configuration items")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("cmdb:detail", args=[self.pk])

    # The type's code, under the name the first CI model used (demo, alert
    # mapping and tests set and read it).
    @property
    def ci_type(self) -> str:
        return self.type_id

    @ci_type.setter
    def ci_type(self, code: str) -> None:
        self.type_id = code


class Category(models.Model):
    """A node of the category tree (事件分类)."""

    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="category_unique_in_parent"),
            models.UniqueConstraint(
                fields=["name"], condition=models.Q(parent=None), name="category_unique_root"
            ),
        ]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self):
        return f"{self.parent} / {self.name}" if self.parent_id else self.name


class User(AbstractUser):
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    role = models.CharField(_("role"), max_length=30, choices=Role.choices, default=Role.REQUESTER)
    team = models.ForeignKey(
        Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="members",
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="users",
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True
    )
    is_robot = models.BooleanField(
        _("robot"), default=False,
        help_text=_("An intake account (e-mail, monitoring) that acts for others. It cannot "
                    "sign in, and what it writes is not a reply from the service desk."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.display_name or self.username

    @property
    def is_requester(self) -> bool:
        return self.role == Role.REQUESTER


class ApiToken(models.Model):
    """A bearer token for the REST API. Only its SHA-256 digest is stored."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("prefix"), max_length=12, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User, name: str = "") -> tuple["ApiToken", str]:
        token = "od_" + secrets.token_urlsafe(32)
        row = cls.objects.create(
            user=user, name=name, digest=cls.digest_of(token), prefix=token[:8]
        )
        return row, token


class Counter(models.Model):
    """Named sequences (e.g. one per day for incident numbers)."""

    key = models.CharField(max_length=60, primary_key=True)
    value = models.BigIntegerField(default=0)

    def __str__(self):
        return f"{self.key}={self.value}"


class IdempotencyKey(models.Model):
    """Remembers what an API create with an Idempotency-Key produced."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    request_digest = models.CharField(max_length=64)
    result = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_per_user"),
        ]

    def __str__(self):
        return self.key


class TimelineEvent(models.Model):
    """One immutable entry in a record's history: who, when, through what, what, why.

    `subject_type` + `subject_id` name the record (e.g. "incident", 42) so that
    every app shares one append-only audit trail.
    """

    subject_type = models.CharField(max_length=30)
    subject_id = models.BigIntegerField()
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        User, verbose_name=_("actor"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    source = models.CharField(_("source"), max_length=20)
    kind = models.CharField(_("kind"), max_length=40)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)
    public = models.BooleanField(_("visible to requester"), default=False)
    # The event's place in its record's hash chain (core/chain.py), set by
    # timeline.record_many. Two writers that chained to the same predecessor
    # would collide on the unique (subject, seq) instead of forking the chain.
    seq = models.PositiveIntegerField(_("sequence number"), editable=False)
    hash = models.CharField(_("hash"), max_length=64, editable=False)

    class Meta:
        indexes = [
            models.Index(fields=["subject_type", "subject_id", "id"], name="timeline_subject")
        ]
        constraints = [
            models.UniqueConstraint(fields=["subject_type", "subject_id", "seq"],
                                    name="timeline_chain_seq"),
        ]
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")

    def __str__(self):
        return f"{self.subject_type}#{self.subject_id} {self.kind} @ {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("timeline events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("timeline events are append-only")


class NotificationChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    WECOM = "wecom", _("WeCom group robot")
    DINGTALK = "dingtalk", _("DingTalk group robot")
    FEISHU = "feishu", _("Feishu group robot")
    WEBHOOK = "webhook", _("JSON webhook")


class NotificationTarget(models.Model):
    """A destination an administrator configured: an SMS gateway, a group
    robot, a webhook or a fixed mailbox. Users choose among targets; they
    never supply a URL."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationChannel.choices)
    url = models.URLField(
        _("URL"), max_length=500, blank=True,
        help_text=_("The gateway or robot webhook address (not used for e-mail)."),
    )
    secret = models.CharField(
        _("secret"), max_length=200, blank=True,
        help_text=_("Signing secret or bearer token; stored, never shown again."),
    )
    address = models.CharField(
        _("address"), max_length=200, blank=True,
        help_text=_("A fixed recipient: the mailbox for e-mail, the phone number for SMS."),
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True
    )
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("notification target")
        verbose_name_plural = _("notification targets")

    def __str__(self):
        return self.name


class NotificationPreference(models.Model):
    """Whether a user wants notifications on a channel. Without a row, e-mail
    is on and every other channel is off. SMS goes through `target` or the
    first enabled SMS gateway; a robot or webhook channel needs a `target`."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    channel = models.CharField(_("channel"), max_length=20, choices=NotificationChannel.choices)
    enabled = models.BooleanField(_("enabled"), default=True)
    target = models.ForeignKey(
        NotificationTarget, verbose_name=_("target"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="+",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "channel"], name="preference_per_channel"),
        ]
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self):
        return f"{self.user} {self.channel} {'on' if self.enabled else 'off'}"


class DeliveryStatus(models.TextChoices):
    # A context of their own: an incident's "Pending" (挂起) is another word.
    PENDING = "pending", pgettext_lazy("delivery status", "Pending")
    SENDING = "sending", pgettext_lazy("delivery status", "Sending")
    DELIVERED = "delivered", pgettext_lazy("delivery status", "Delivered")
    DEAD = "dead", pgettext_lazy("delivery status", "Dead")


class NotificationFile(models.Model):
    """A file mailed with notifications, holding its own bytes (core/outbox.py).

    One row per file of a queued message, shared by every e-mail row of that
    message: a report mailed to twenty subscribers is stored once, not twenty
    times. The bytes are a copy, so the mail still goes out whole if the
    record the file came from is deleted or regenerated before delivery.
    """

    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    content = models.BinaryField(_("content"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("notification file")
        verbose_name_plural = _("notification files")

    def __str__(self):
        return self.name


def _deleting_unused_files(delete, *args, **kwargs):
    """Deleting notifications deletes the files no notification refers to any
    more (files are shared, so a cascade cannot do it)."""
    with transaction.atomic():
        deleted = delete(*args, **kwargs)
        # Every unused file, not only those of the rows just deleted: two
        # purges that each deleted one of a file's two notifications at once
        # both saw the other's row still there; the next purge removes it.
        NotificationFile.objects.filter(notifications=None).delete()
    return deleted


class NotificationQuerySet(models.QuerySet):
    def delete(self):
        return _deleting_unused_files(super().delete)


class Notification(models.Model):
    """One message for one recipient on one channel (the outbox).

    Rendered in the recipient's language when queued, so that delivery only
    sends. `next_attempt_at` is when the worker may take it: the retry time
    while pending, the end of the sending worker's lease while sending.
    """

    created_at = models.DateTimeField(_("created at"))
    subject_type = models.CharField(max_length=30)
    subject_id = models.BigIntegerField()
    reference = models.CharField(_("record"), max_length=60)
    event = models.CharField(_("event"), max_length=40)
    recipient = models.ForeignKey(
        User, verbose_name=_("recipient"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    address = models.CharField(_("address"), max_length=254, blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=NotificationChannel.choices)
    target = models.ForeignKey(
        NotificationTarget, verbose_name=_("target"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="notifications",
    )
    language = models.CharField(_("language"), max_length=10)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"))
    link = models.CharField(_("link"), max_length=500, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    last_error = models.TextField(_("last error"), blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    # E-mail only; other channels carry the text and the link.
    attachments = models.ManyToManyField(
        NotificationFile, verbose_name=_("attachments"), blank=True, related_name="notifications",
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(
                fields=["next_attempt_at"], name="notification_due",
                condition=models.Q(status__in=["pending", "sending"]),
            ),
            models.Index(fields=["status", "created_at"], name="notification_status"),
            models.Index(fields=["subject_type", "subject_id"], name="notification_subject"),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self):
        return f"{self.reference} {self.event} → {self.address or self.target}"

    def delete(self, *args, **kwargs):
        return _deleting_unused_files(super().delete, *args, **kwargs)


class DeliveryOutcome(models.TextChoices):
    STARTED = "started", _("Started")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
    ABANDONED = "abandoned", _("Abandoned (worker stopped)")


class DeliveryAttempt(models.Model):
    """One try at sending a notification, written before it starts, so that
    even an attempt cut short by a dying worker is on record (INC-18)."""

    notification = models.ForeignKey(
        Notification, verbose_name=_("notification"), on_delete=models.CASCADE,
        related_name="delivery_attempts",
    )
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=DeliveryOutcome.choices,
        default=DeliveryOutcome.STARTED,
    )
    error = models.TextField(_("error"), blank=True)
    worker = models.CharField(_("worker"), max_length=100, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")

    def __str__(self):
        return f"{self.notification_id} {self.outcome} @ {self.started_at:%Y-%m-%d %H:%M:%S}"
