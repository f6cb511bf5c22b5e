"""Which channels a user is notified on (INC-18): read and change them.

Without a row, e-mail is on and every other channel off (see
NotificationPreference). Users choose among the targets an administrator
configured; nobody types a URL here.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from .errors import Forbidden, Invalid
from .models import NotificationChannel, NotificationPreference, NotificationTarget, User

# Channels whose messages go to a configured target rather than the user's own address.
TARGET_CHANNELS = frozenset({
    NotificationChannel.WECOM, NotificationChannel.DINGTALK, NotificationChannel.FEISHU,
    NotificationChannel.WEBHOOK,
})


@dataclass(frozen=True)
class ChannelSetting:
    channel: str
    enabled: bool
    target: NotificationTarget | None = None


def channel_settings(user: User) -> list[ChannelSetting]:
    """Every channel with the user's current choice, in the order of NotificationChannel."""
    rows = {row.channel: row for row in
            NotificationPreference.objects.filter(user=user).select_related("target")}
    settings = []
    for channel in NotificationChannel.values:
        row = rows.get(channel)
        if row is None:
            settings.append(ChannelSetting(channel, channel == NotificationChannel.EMAIL))
        else:
            settings.append(ChannelSetting(channel, row.enabled, row.target))
    return settings


def targets_by_channel() -> dict[str, list[NotificationTarget]]:
    """The enabled targets a user may pick, per channel (SMS: the gateways)."""
    choices: dict[str, list[NotificationTarget]] = {}
    for target in NotificationTarget.objects.filter(enabled=True).order_by("name"):
        choices.setdefault(target.kind, []).append(target)
    return choices


@transaction.atomic(durable=True)
def set_channel_settings(user: User, *, actor: User, wanted: list[ChannelSetting],
                         phone: str | None = None) -> None:
    """Replace the user's choices. A user changes their own; an administrator anyone's."""
    if actor.pk != user.pk and not actor.is_staff:
        raise Forbidden()
    user = User.objects.select_for_update().get(pk=user.pk)
    if phone is not None:
        user.phone = phone.strip()
    errors = {}
    allowed = targets_by_channel()
    for setting in wanted:
        problem = _problem(user, setting, allowed.get(setting.channel, []))
        if problem:
            errors[setting.channel] = problem
    if errors:
        raise Invalid(fields=errors)
    if not user.is_requester and not any(setting.enabled for setting in wanted):
        # Staff receive escalations: leaving them unreachable would lose one.
        raise Invalid(_("Keep at least one channel on, or you will miss escalations."))
    if phone is not None:
        user.save(update_fields=["phone"])
    for setting in wanted:
        NotificationPreference.objects.update_or_create(
            user=user, channel=setting.channel,
            defaults={"enabled": setting.enabled, "target": setting.target},
        )


def _problem(user: User, setting: ChannelSetting, allowed: list[NotificationTarget]) -> str:
    if setting.channel not in NotificationChannel.values:
        return _("Unknown channel.")
    if setting.target is not None and setting.target not in allowed:
        return _("Choose one of the configured targets for this channel.")
    if not setting.enabled:
        return ""
    if setting.channel == NotificationChannel.EMAIL and not user.email:
        return _("Your profile has no e-mail address; ask an administrator to add one.")
    if setting.channel == NotificationChannel.SMS:
        if not user.phone:
            return _("Enter a mobile number to receive SMS.")
        if setting.target is None and not allowed:
            return _("No SMS gateway is configured yet.")
    if setting.channel in TARGET_CHANNELS and setting.target is None:
        return _("Choose which group robot or webhook to use.")
    return ""
