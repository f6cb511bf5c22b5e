"""Forms of the signed-in user's own settings."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import NotificationChannel, NotificationTarget
from .preferences import TARGET_CHANNELS, ChannelSetting, channel_settings


class NotificationSettingsForm(forms.Form):
    """One switch per channel, and a target picker where the channel needs one."""

    phone = forms.CharField(label=_("mobile number"), max_length=40, required=False)

    def __init__(self, user, data=None):
        super().__init__(data)
        self.fields["phone"].initial = user.phone
        self.rows = []
        for current in channel_settings(user):
            channel = NotificationChannel(current.channel)
            self.fields[f"{channel}_enabled"] = forms.BooleanField(
                label=channel.label, required=False, initial=current.enabled)
            row = {"channel": channel, "switch": self[f"{channel}_enabled"], "target": None}
            if channel in TARGET_CHANNELS or channel == NotificationChannel.SMS:
                self.fields[f"{channel}_target"] = forms.ModelChoiceField(
                    label=_("gateway") if channel == NotificationChannel.SMS else _("target"),
                    queryset=NotificationTarget.objects.filter(enabled=True, kind=channel),
                    required=False, empty_label="—",
                    initial=current.target.pk if current.target else None)
                row["target"] = self[f"{channel}_target"]
            self.rows.append(row)

    def wanted(self) -> list[ChannelSetting]:
        return [ChannelSetting(row["channel"].value,
                               self.cleaned_data[f"{row['channel']}_enabled"],
                               self.cleaned_data.get(f"{row['channel']}_target"))
                for row in self.rows]
