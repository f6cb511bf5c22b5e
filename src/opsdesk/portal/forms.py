"""Portal forms. Like the console's, they only parse: the incident actions
(and portal.surveys.answer) check every rule. The submission form is the
console's intake form without what only an agent fills in."""

from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from opsdesk.core.models import ConfigurationItem, Service
from opsdesk.incidents import actions
from opsdesk.incidents.choices import Channel, Kind
from opsdesk.incidents.forms import CommentForm, ConfirmForm, IncidentFieldsForm, RejectForm
from opsdesk.sla.choices import Impact, Urgency

from .surveys import SCORES

SOURCE = "portal"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(upload, initial) for upload in files]


class SubmitForm(IncidentFieldsForm):
    """An incident or service request, for the requester's own organisation."""

    # The agent's fields, which the service desk fills in later.
    symptoms = system_type = occurred_at = customer = None
    reporter_name = reporter_phone = reporter_email = None
    kind = forms.ChoiceField(label=_("what do you need"), widget=forms.RadioSelect, choices=[
        (Kind.FAULT, _("Something is broken (a fault)")),
        (Kind.SERVICE_REQUEST, _("I need something (a service request)")),
    ], initial=Kind.FAULT)
    attachments = MultipleFileField(label=_("attachments"), required=False)

    field_order = ["kind", "title", "description", "category", "ci", "service", "impact",
                   "urgency", "attachments"]

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("initial", {}).update(impact=Impact.LOW, urgency=Urgency.MEDIUM)
        super().__init__(*args, **kwargs)
        self.fields["description"].widget.attrs["rows"] = 6
        customer = user.customer_id
        self.fields["ci"].queryset = ConfigurationItem.objects.filter(customer_id=customer) \
            if customer else ConfigurationItem.objects.none()
        self.fields["service"].queryset = Service.objects.filter(
            Q(contracts__customer_id=customer) | Q(configurationitem__customer_id=customer)
        ).distinct() if customer else Service.objects.none()

    def clean_attachments(self):
        limit = settings.OPSDESK_MAX_ATTACHMENT_MB
        files = self.cleaned_data["attachments"]
        if any(upload.size > limit * 1024 * 1024 for upload in files):
            raise forms.ValidationError(_("A file may be at most %(mb)d MB.") % {"mb": limit})
        return files

    def log(self, actor):
        fields = {name: value for name, value in self.cleaned_data.items()
                  if name != "attachments"}
        incident = actions.log_incident(actor=actor, source=SOURCE, channel=Channel.PORTAL,
                                        **fields)
        for upload in self.cleaned_data["attachments"]:
            actions.add_attachment(incident, actor=actor, source=SOURCE, upload=upload,
                                   public=True)
        return incident


class PortalCommentForm(CommentForm):
    body = forms.CharField(label=_("your message"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))


class SolvedForm(ConfirmForm):
    note = forms.CharField(label=_("anything to add (optional)"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class NotSolvedForm(RejectForm):
    reason = forms.CharField(label=_("what is still not working"), required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))


class SurveyForm(forms.Form):
    # Checked by surveys.answer, which words the error for a missing or
    # out-of-range score; the field only parses the number.
    score = forms.IntegerField(label=_("how satisfied are you"), required=False,
                               widget=forms.RadioSelect(choices=[(n, n) for n in SCORES]))
    comment = forms.CharField(label=_("comment"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    complaint = forms.BooleanField(label=_("I want to make a complaint"), required=False)
    complaint_text = forms.CharField(label=_("what is your complaint"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 3}))


class SignInLinkForm(forms.Form):
    email = forms.EmailField(label=_("your e-mail address"), max_length=254)
