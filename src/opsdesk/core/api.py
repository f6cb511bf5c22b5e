from django.utils.translation import gettext as _
from ninja import Router

from .errors import Invalid
from .models import NotificationChannel, NotificationTarget, Team
from .preferences import ChannelSetting, channel_settings, set_channel_settings
from .schemas import ChannelSettingSchema, NotificationSettings, TeamRead

router = Router(tags=["teams"])


@router.get("/teams", response=list[TeamRead])
def list_teams(request):
    """Support groups with their tier (service_desk, l1, l2, l3, onsite, vendor)."""
    return [
        TeamRead(name=team.name, tier=team.tier, lead=team.lead.username if team.lead else None)
        for team in Team.objects.select_related("lead").order_by("name")
    ]


def _settings_of(user) -> NotificationSettings:
    return NotificationSettings(
        channels=[ChannelSettingSchema(channel=row.channel, enabled=row.enabled,
                                       target=row.target.name if row.target else None)
                  for row in channel_settings(user)],
        phone=user.phone,
    )


@router.get("/me/notification-settings", response=NotificationSettings, tags=["me"],
            summary="Read my notification channels")
def read_notification_settings(request):
    return _settings_of(request.auth)


@router.put("/me/notification-settings", response=NotificationSettings, tags=["me"],
            summary="Choose my notification channels")
def change_notification_settings(request, payload: NotificationSettings):
    """Every channel left out is switched off; `target` names a configured target."""
    targets = {target.name: target for target in NotificationTarget.objects.filter(enabled=True)}
    errors = {}
    for row in payload.channels:
        if row.channel not in NotificationChannel.values:
            errors[row.channel] = _("Unknown channel.")
        elif row.target and row.target not in targets:
            errors[row.channel] = _("No such notification target.")
    if errors:
        raise Invalid(fields=errors)
    chosen = {row.channel: row for row in payload.channels}
    wanted = [ChannelSetting(channel, chosen[channel].enabled,
                             targets.get(chosen[channel].target or ""))
              if channel in chosen else ChannelSetting(channel, False)
              for channel in NotificationChannel.values]
    set_channel_settings(request.auth, actor=request.auth, wanted=wanted, phone=payload.phone)
    request.auth.refresh_from_db()
    return _settings_of(request.auth)
