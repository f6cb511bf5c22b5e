import os
from pathlib import Path

from django.db import models
from django.utils.translation import gettext as _now
from django.utils.translation import gettext_lazy as _

from opsdesk.sla.choices import Impact, Urgency


class MailboxConfigError(Exception):
    """The mailbox cannot be used as configured (say what to fix)."""


class Mailbox(models.Model):
    """An address the service desk receives mail at: polled over IMAP when a
    host is set, else fed by the MTA through `opsdesk mail-ingest`.

    The IMAP password is never stored here: the row names an environment
    variable or a secret file that holds it."""

    name = models.SlugField(_("name"), max_length=60, unique=True)
    address = models.EmailField(_("address"), unique=True)
    imap_host = models.CharField(_("IMAP server"), max_length=200, blank=True)
    imap_port = models.PositiveIntegerField(_("IMAP port"), null=True, blank=True)
    imap_ssl = models.BooleanField(_("IMAP over TLS"), default=True)
    imap_folder = models.CharField(_("IMAP folder"), max_length=200, default="INBOX")
    imap_username = models.CharField(_("IMAP user"), max_length=200, blank=True)
    imap_password_env = models.CharField(
        _("password environment variable"), max_length=100, blank=True)
    imap_password_file = models.CharField(_("password file"), max_length=500, blank=True)
    processed_folder = models.CharField(
        _("move processed mail to"), max_length=200, blank=True,
        help_text=_("Empty: processed mail stays in the folder, marked with the keyword "
                    "$OpsDeskProcessed."),
    )
    team = models.ForeignKey("core.Team", verbose_name=_("default team"), null=True,
                             blank=True, on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey("core.Category", verbose_name=_("default category"),
                                 null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    customer = models.ForeignKey("core.Customer", verbose_name=_("default customer"),
                                 null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    impact = models.CharField(_("impact"), max_length=10, choices=Impact.choices,
                              default=Impact.MEDIUM)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices,
                               default=Urgency.MEDIUM)
    active = models.BooleanField(_("active"), default=True)
    # Polling bookkeeping: when the next poll is due (while a worker polls:
    # the end of its lease) and how the last one went.
    next_poll_at = models.DateTimeField(_("next poll at"), null=True, blank=True,
                                        editable=False)
    last_polled_at = models.DateTimeField(_("last polled at"), null=True, blank=True,
                                          editable=False)
    last_error = models.TextField(_("last error"), blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")

    def __str__(self):
        return f"{self.name} <{self.address}>"

    @property
    def polls_imap(self) -> bool:
        return bool(self.imap_host)

    def imap_password(self) -> str:
        if self.imap_password_env:
            password = os.environ.get(self.imap_password_env)
            if password is None:
                raise MailboxConfigError(
                    _now("The environment variable %(name)s (the IMAP password of mailbox "
                         "%(mailbox)s) is not set.")
                    % {"name": self.imap_password_env, "mailbox": self.name})
            return password
        if self.imap_password_file:
            try:
                return Path(self.imap_password_file).read_text().strip()
            except OSError as error:
                raise MailboxConfigError(
                    _now("Cannot read the IMAP password file of mailbox %(mailbox)s: "
                         "%(error)s") % {"mailbox": self.name, "error": error}) from None
        raise MailboxConfigError(
            _now("Mailbox %(mailbox)s has no IMAP password source.") % {"mailbox": self.name})


class Outcome(models.TextChoices):
    RECEIVED = "received", _("Received, not yet processed")
    CREATED = "created", _("Created an incident")
    COMMENTED = "commented", _("Added a comment")
    NOISE = "noise", _("Auto-reply or bulk mail (ignored)")
    BOUNCE = "bounce", _("Delivery failure report")
    REJECTED = "rejected", _("Rejected")
    RATE_LIMITED = "rate_limited", _("Over the sender's rate limit")
    FAILED = "failed", _("Failed")


class InboundMessage(models.Model):
    """One received mail, kept with its raw bytes whatever became of it.

    The unique (mailbox, message_id) makes intake idempotent: a second
    delivery of the same mail finds this row. A mail without a Message-ID is
    keyed by the hash of its bytes. The raw message is a database column, not
    a file: it is written in the same transaction as the row that claims the
    Message-ID, so a crash can leave neither a row without its mail nor a
    second copy, and it is backed up with the tickets it made."""

    mailbox = models.ForeignKey(Mailbox, verbose_name=_("mailbox"), on_delete=models.PROTECT,
                                related_name="messages")
    message_id = models.CharField(_("Message-ID"), max_length=255)
    received_at = models.DateTimeField(_("received at"))
    sender = models.CharField(_("sender"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    raw = models.BinaryField(_("raw message"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices,
                               default=Outcome.RECEIVED)
    incident = models.ForeignKey(
        "incidents.Incident", verbose_name=_("incident"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    # A reply to a closed incident opens a new one; this is the closed one.
    follow_up_of = models.ForeignKey(
        "incidents.Incident", verbose_name=_("reply to closed incident"), null=True,
        blank=True, on_delete=models.PROTECT, related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    attempts = models.PositiveIntegerField(_("processing attempts"), default=0)
    # While received: when a worker may (again) turn it into a ticket.
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mailbox", "message_id"],
                                    name="inbound_message_once"),
        ]
        indexes = [
            models.Index(fields=["sender", "received_at"], name="inbound_sender_recent"),
            models.Index(fields=["next_attempt_at"], name="inbound_unprocessed",
                         condition=models.Q(outcome="received")),
            models.Index(fields=["received_at"], name="inbound_received_at"),
        ]
        verbose_name = _("inbound e-mail")
        verbose_name_plural = _("inbound e-mails")

    def __str__(self):
        return f"{self.message_id} ({self.get_outcome_display()})"


class FailingAddress(models.Model):
    """An address our notifications bounced from. E-mail to it is not sent
    (the notification goes dead with the reason) until an administrator
    deletes this row or a mail from the address shows it works again."""

    address = models.CharField(_("address"), max_length=254, unique=True)
    first_bounce_at = models.DateTimeField(_("first bounce at"))
    last_bounce_at = models.DateTimeField(_("last bounce at"))
    bounces = models.PositiveIntegerField(_("bounces"), default=1)
    notification = models.ForeignKey(
        "core.Notification", verbose_name=_("notification that bounced"), null=True,
        blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["-last_bounce_at", "-id"]
        verbose_name = _("failing address")
        verbose_name_plural = _("failing addresses")

    def __str__(self):
        return self.address
