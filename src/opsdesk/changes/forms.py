"""Console forms for changes. They only parse; the actions check the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from opsdesk.core.models import ConfigurationItem, Customer, Service, Team, User
from opsdesk.incidents.forms import BLANK, Choice, CustomerChoice, LocalDateTimeInput
from opsdesk.sla.choices import Impact, Urgency

from . import risk, rules
from .choices import Action, Kind, Relation, Vote
from .models import StandardChange

TEXT = {"rows": 3}


def _staff():
    return User.objects.filter(is_active=True, is_robot=False,
                               role__in=rules.STAFF).order_by("username")


class Many(forms.ModelMultipleChoiceField):
    def __init__(self, queryset, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.SelectMultiple(attrs={"size": 6}))
        super().__init__(queryset, **kwargs)


def risk_fields() -> dict:
    return {f"risk_{question.key}": forms.ChoiceField(
        label=question.text, choices=[(key, label) for key, label, _w in question.answers])
        for question in risk.QUESTIONS}


def risk_answers(data: dict) -> dict:
    return {question.key: data[f"risk_{question.key}"] for question in risk.QUESTIONS}


class NewChangeForm(forms.Form):
    kind = forms.ChoiceField(label=_("change type"), choices=Kind.choices,
                             initial=Kind.NORMAL)
    template = Choice(StandardChange.objects.filter(active=True),
                      label=_("standard change template"), required=False)
    title = forms.CharField(label=_("title"), max_length=200)
    reason = forms.CharField(label=_("reason for the change"), required=False,
                             widget=forms.Textarea(attrs=TEXT))
    description = forms.CharField(label=_("description"), required=False,
                                  widget=forms.Textarea(attrs=TEXT))
    cis = Many(ConfigurationItem.objects.all(), label=_("affected configuration items"))
    services = Many(Service.objects.all(), label=_("affected services"))
    customer = CustomerChoice(Customer.objects.all(), label=_("customer"), required=False)
    implementation_plan = forms.CharField(label=_("implementation plan"), required=False,
                                          widget=forms.Textarea(attrs=TEXT))
    rollback_plan = forms.CharField(label=_("rollback plan"), required=False,
                                    widget=forms.Textarea(attrs=TEXT))
    test_plan = forms.CharField(label=_("test plan"), required=False,
                                widget=forms.Textarea(attrs=TEXT))
    planned_start = forms.DateTimeField(label=_("window start"), required=False,
                                        widget=LocalDateTimeInput())
    planned_end = forms.DateTimeField(label=_("window end"), required=False,
                                      widget=LocalDateTimeInput())
    implementer_team = Choice(Team.objects.all(), label=_("implementer team"), required=False)
    owner = Choice(_staff(), label=_("change owner"), required=False)
    problem = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(risk_fields())
        for question in risk.QUESTIONS:
            self.fields[f"risk_{question.key}"].initial = risk.LOWEST[question.key]


class EmergencyForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    description = forms.CharField(label=_("what is being done"), required=False,
                                  widget=forms.Textarea(attrs=TEXT))
    cis = Many(ConfigurationItem.objects.all(), label=_("affected configuration items"))
    planned_end = forms.DateTimeField(label=_("expected end"), required=False,
                                      widget=LocalDateTimeInput())
    incident = forms.CharField(widget=forms.HiddenInput)


class BlackoutForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=200)
    start = forms.DateTimeField(label=_("start"), widget=LocalDateTimeInput())
    end = forms.DateTimeField(label=_("end"), widget=LocalDateTimeInput())
    reason = forms.CharField(label=_("reason"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))
    services = Many(Service.objects.all(), label=_("services (none: all)"))
    cis = Many(ConfigurationItem.objects.all(), label=_("configuration items (none: all)"))


def _note(label):
    return lambda: forms.CharField(label=label, required=False,
                                   widget=forms.Textarea(attrs={"rows": 2}))


# The inputs each step's form shows; names match steps.STEPS.
STEP_FIELDS = {
    "note": _note(_("note")),
    "reason": _note(_("reason")),
    "comment": _note(_("comment (required to reject)")),
    "implementation_notes": _note(_("what happened")),
    "review_notes": _note(_("review notes")),
    "approvers": lambda: forms.ModelMultipleChoiceField(
        _staff(), label=_("CAB members"), to_field_name="username",
        widget=forms.SelectMultiple(attrs={"size": 6})),
    "vote": lambda: forms.ChoiceField(label=_("vote"), choices=Vote.choices,
                                      widget=forms.RadioSelect),
    "planned_start": lambda: forms.DateTimeField(label=_("window start"), required=False,
                                                 widget=LocalDateTimeInput()),
    "planned_end": lambda: forms.DateTimeField(label=_("window end"), required=False,
                                               widget=LocalDateTimeInput()),
    "implementer_team": lambda: forms.ModelChoiceField(
        Team.objects.all(), label=_("implementer team"), to_field_name="name",
        required=False),
    "owner": lambda: forms.ModelChoiceField(_staff(), label=_("change owner"),
                                            to_field_name="username", required=False),
    "impact": lambda: forms.ChoiceField(label=_("impact"), choices=Impact.choices,
                                        initial=Impact.HIGH),
    "urgency": lambda: forms.ChoiceField(label=_("urgency"), choices=Urgency.choices,
                                         initial=Urgency.HIGH),
    "title": lambda: forms.CharField(label=_("title"), max_length=200, required=False),
    "incident": lambda: forms.CharField(label=_("incident number"), max_length=24),
    "relation": lambda: forms.ChoiceField(label=_("relation"), choices=BLANK + Relation.choices),
}


def step_form(action: Action, names: tuple, change, data=None) -> forms.Form:
    initial = {name: getattr(change, name, "") for name in names
               if name not in ("owner", "implementer_team", "title")}
    form = forms.Form(data, auto_id=f"{action.value}-%s", initial=initial)
    form.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, required=False,
                                                initial=change.version)
    for name in names:
        make = STEP_FIELDS.get(name)
        form.fields[name] = make() if make else forms.CharField(
            label=change._meta.get_field(name).verbose_name, required=False,
            widget=forms.Textarea(attrs=TEXT))
    form.action = action
    return form


def step_values(form, data) -> dict:
    """What a valid step form carries, as the API would send it (names for
    people and teams)."""
    values = dict(form.cleaned_data)
    for name in ("owner", "implementer_team"):
        if values.get(name) is not None:
            values[name] = data.get(name)
    if "approvers" in values:
        values["approvers"] = [user.username for user in values["approvers"]]
    return values
