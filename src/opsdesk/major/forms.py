"""Console forms: they parse what was typed; the actions check every rule."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from opsdesk.core import clock
from opsdesk.core.choices import Role
from opsdesk.core.models import ConfigurationItem, Service, User
from opsdesk.incidents.forms import Choice, LocalDateTimeInput, local_time

from .choices import DrillResult, TeamRole
from .models import DEFAULT_UPDATE_MINUTES
from .plans import PlanDraft

CONTACT_SEPARATOR = re.compile(r"\s*[|,，\t]\s*")


def staff():
    return User.objects.filter(is_active=True).exclude(role=Role.REQUESTER).order_by("username")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class PlanForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("name"), max_length=200)
    cis = forms.CharField(label=_("configuration items"), required=False,
                          widget=forms.Textarea(attrs={"rows": 3}),
                          help_text=_("One name per line."))
    services = forms.ModelMultipleChoiceField(
        label=_("services"), queryset=Service.objects.order_by("name"), required=False,
        widget=forms.CheckboxSelectMultiple)
    trigger_conditions = forms.CharField(label=_("trigger conditions"),
                                         widget=forms.Textarea(attrs={"rows": 3}))
    contacts = forms.CharField(label=_("contacts"), required=False,
                               widget=forms.Textarea(attrs={"rows": 4}),
                               help_text=_("One per line: name | role | phone."))
    steps = forms.CharField(label=_("steps"), widget=forms.Textarea(attrs={"rows": 6}),
                            help_text=_("One step per line, in order."))
    communication_template = forms.CharField(
        label=_("communication template"), required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Placeholders: {incident}, {title}, {services}, {update}, {next_update}, "
                    "{commander}."))
    aftermath = forms.CharField(label=_("aftermath"), required=False,
                                widget=forms.Textarea(attrs={"rows": 2}))
    safeguards = forms.CharField(label=_("safeguards (people, training, venue)"),
                                 required=False, widget=forms.Textarea(attrs={"rows": 2}))

    @classmethod
    def for_plan(cls, plan):
        return cls(initial={
            "version": plan.version, "name": plan.name,
            "cis": "\n".join(plan.cis.order_by("name").values_list("name", flat=True)),
            "services": list(plan.services.all()),
            "trigger_conditions": plan.trigger_conditions,
            "contacts": "\n".join(" | ".join(filter(None, row)) for row in
                                  plan.contacts.values_list("name", "role", "phone")),
            "steps": "\n".join(plan.steps.values_list("text", flat=True)),
            "communication_template": plan.communication_template,
            "aftermath": plan.aftermath, "safeguards": plan.safeguards})

    def clean_cis(self):
        names = _lines(self.cleaned_data["cis"])
        found = {ci.name: ci for ci in ConfigurationItem.objects.filter(name__in=names)}
        missing = [name for name in names if name not in found]
        if missing:
            raise forms.ValidationError(_("No configuration item is called: %(names)s.") % {
                "names": ", ".join(missing)})
        return [found[name] for name in dict.fromkeys(names)]

    def clean_contacts(self):
        contacts = []
        for line in _lines(self.cleaned_data["contacts"]):
            parts = [*CONTACT_SEPARATOR.split(line, maxsplit=2), "", ""][:3]
            contacts.append(tuple(parts))
        return contacts

    def draft(self) -> PlanDraft:
        data = self.cleaned_data
        return PlanDraft(
            name=data["name"], trigger_conditions=data["trigger_conditions"],
            communication_template=data["communication_template"],
            aftermath=data["aftermath"], safeguards=data["safeguards"], cis=data["cis"],
            services=list(data["services"]), contacts=data["contacts"],
            steps=_lines(data["steps"]))


class DrillForm(forms.Form):
    held_on = forms.DateField(label=_("date"), widget=forms.DateInput(attrs={"type": "date"}))
    participants = forms.CharField(label=_("participants"),
                                   widget=forms.Textarea(attrs={"rows": 2}))
    result = forms.ChoiceField(label=_("result"), choices=DrillResult.choices)
    findings = forms.CharField(label=_("findings"), required=False,
                               widget=forms.Textarea(attrs={"rows": 3}))


class DeclareForm(forms.Form):
    reason = forms.CharField(label=_("reason for declaring"),
                             widget=forms.Textarea(attrs={"rows": 2}))
    commander = Choice(staff(), label=_("Commander"), required=False,
                       help_text=_("Empty: you lead the emergency team."))
    technical_lead = Choice(staff(), label=_("Technical lead"), required=False)
    communications = Choice(staff(), label=_("Communications"), required=False)
    vendor_liaison = Choice(staff(), label=_("Vendor liaison"), required=False)
    update_interval_minutes = forms.IntegerField(label=_("status update every (minutes)"),
                                                 initial=DEFAULT_UPDATE_MINUTES)

    ROLES = (TeamRole.TECHNICAL_LEAD, TeamRole.COMMUNICATIONS, TeamRole.VENDOR_LIAISON)

    def team(self) -> list[tuple]:
        return [(self.cleaned_data[role.value], role.value) for role in self.ROLES
                if self.cleaned_data.get(role.value)]


class UpdateForm(forms.Form):
    text = forms.CharField(label=_("status update"), widget=forms.Textarea(attrs={"rows": 3}))


class StepForm(forms.Form):
    step = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("note"), required=False)


class MemberForm(forms.Form):
    user = Choice(staff(), label=_("member"))
    role = forms.ChoiceField(label=_("role"), choices=TeamRole.choices)


class RemoveMemberForm(forms.Form):
    user = forms.ModelChoiceField(staff(), widget=forms.HiddenInput)


class CadenceForm(forms.Form):
    minutes = forms.IntegerField(label=_("status update every (minutes)"))


class LiftForm(forms.Form):
    business_recovered_at = forms.DateTimeField(label=_("business recovered at"),
                                                widget=LocalDateTimeInput())
    cause = forms.CharField(label=_("cause"), required=False,
                            widget=forms.Textarea(attrs={"rows": 2}))
    summary = forms.CharField(label=_("actions taken"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))

    @classmethod
    def prefilled(cls):
        return cls(initial={"business_recovered_at": local_time(clock.now())})
