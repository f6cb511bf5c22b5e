"""Console forms for problems. They only parse; the actions check the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from opsdesk.core.models import ConfigurationItem, Team, User
from opsdesk.incidents.forms import BLANK, Choice

from . import rules
from .choices import Action, Category, Level, Source

TEXT = {"rows": 3}


class NewProblemForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    origin = forms.ChoiceField(label=_("source"), choices=Source.choices)
    symptoms = forms.CharField(label=_("symptoms"), required=False,
                               widget=forms.Textarea(attrs=TEXT))
    description = forms.CharField(label=_("description"), required=False,
                                  widget=forms.Textarea(attrs=TEXT))
    category = forms.ChoiceField(label=_("category"), choices=BLANK + Category.choices,
                                 required=False)
    level = forms.ChoiceField(label=_("level"), choices=Level.choices, initial=Level.MEDIUM)
    ci = Choice(ConfigurationItem.objects.all(), label=_("configuration item"), required=False)
    incident = forms.CharField(required=False, widget=forms.HiddenInput)


def _owners():
    return User.objects.filter(is_active=True, role__in=rules.OWNER_ROLES).order_by("username")


# The inputs each step's form shows; names match the action keywords.
STEP_FIELDS = {
    "note": lambda: forms.CharField(label=_("note"), required=False,
                                    widget=forms.Textarea(attrs={"rows": 2})),
    "reason": lambda: forms.CharField(label=_("reason"), required=False,
                                      widget=forms.Textarea(attrs={"rows": 2})),
    "category": lambda: forms.ChoiceField(label=_("category"), choices=BLANK + Category.choices,
                                          required=False),
    "level": lambda: forms.ChoiceField(label=_("level"), choices=Level.choices),
    "owner": lambda: forms.ModelChoiceField(_owners(), label=_("problem owner"),
                                            to_field_name="username", required=False),
    "team": lambda: forms.ModelChoiceField(Team.objects.all(), label=_("analysis group"),
                                           to_field_name="name", required=False),
    "change_reference": lambda: forms.CharField(label=_("change request"), max_length=100,
                                                required=False),
}


def step_form(action: Action, names: tuple, problem, data=None) -> forms.Form:
    form = forms.Form(data, auto_id=f"{action.value}-%s", initial={
        name: getattr(problem, name, "") for name in names if name not in ("owner", "team")})
    form.fields["version"] = forms.IntegerField(widget=forms.HiddenInput,
                                                initial=problem.version)
    for name in names:
        make = STEP_FIELDS.get(name)
        form.fields[name] = make() if make else forms.CharField(
            label=problem._meta.get_field(name).verbose_name, required=False,
            widget=forms.Textarea(attrs=TEXT))
    form.action = action
    return form
