from ninja import Schema


class TeamRead(Schema):
    name: str
    tier: str
    lead: str | None


class ChannelSettingSchema(Schema):
    channel: str
    enabled: bool
    target: str | None = None  # the name of an administrator's notification target


class NotificationSettings(Schema):
    channels: list[ChannelSettingSchema]
    phone: str | None = None
