from django import forms
from django.utils.translation import gettext_lazy as _

from opsdesk.core.models import CiStatus, Team

from .models import CiType

BLANK = [("", "—")]


class CiFilterForm(forms.Form):
    """The CI list's filters; all optional, read from the query string."""

    q = forms.CharField(label=_("search"), required=False, max_length=200)
    type = forms.ChoiceField(label=_("type"), required=False)
    status = forms.ChoiceField(label=_("status"), required=False,
                               choices=BLANK + CiStatus.choices)
    team = forms.ChoiceField(label=_("owner team"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = BLANK + list(CiType.objects.values_list("code", "name"))
        self.fields["team"].choices = BLANK + [
            (name, name) for name in Team.objects.values_list("name", flat=True)]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("file (.csv or .xlsx)"))
    dry_run = forms.BooleanField(label=_("dry run: check only, change nothing"),
                                 required=False, initial=True)
