"""The CMDB console's forms. They only parse what was typed: every rule is
checked by the action the view calls (cmdb.actions), whose errors come back
onto the fields here."""

from django import forms
from django.utils.translation import gettext_lazy as _

from opsdesk.core.errors import OpsDeskError
from opsdesk.core.models import CiStatus, Customer, Service, Team
from opsdesk.incidents.forms import Choice, CustomerChoice

from .actions import CiDraft
from .choices import AttributeKind, RelationshipKind
from .models import CiAttribute, CiType

BLANK = [("", "—")]
ATTRIBUTE_PREFIX = "attr_"


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


def _attribute_field(definition: CiAttribute) -> forms.Field:
    """One input per attribute the type defines, shaped by its kind; the
    action checks the value (number, date, allowed choice, required)."""
    options = {"label": definition.label, "required": False}
    if definition.kind == AttributeKind.CHOICE:
        return forms.ChoiceField(choices=BLANK + [(v, v) for v in definition.choices], **options)
    widgets = {
        AttributeKind.NUMBER: forms.TextInput(attrs={"inputmode": "decimal"}),
        AttributeKind.DATE: forms.DateInput(attrs={"type": "date"}),
    }
    return forms.CharField(widget=widgets.get(definition.kind), **options)


class CiForm(forms.Form):
    """A configuration item with the typed attributes of its type: the type
    typed in (or, before anything is typed, the item's own or `type_code`)
    decides which attribute fields there are."""

    name = forms.CharField(label=_("name"), max_length=200)
    type = forms.ChoiceField(label=_("type"))
    status = forms.ChoiceField(label=_("status"), choices=CiStatus.choices,
                               initial=CiStatus.IN_SERVICE)
    owner_team = Choice(Team.objects.all(), label=_("owner team"), required=False)
    service = Choice(Service.objects.all(), label=_("service"), required=False)
    customer = CustomerChoice(Customer.objects.all(), label=_("customer"), required=False)
    location = forms.CharField(label=_("location"), max_length=200, required=False)
    vendor = forms.CharField(label=_("vendor"), max_length=200, required=False)
    contract = forms.CharField(label=_("support contract"), max_length=100, required=False)

    def __init__(self, data=None, *, ci=None, type_code: str = ""):
        initial = {}
        if ci is not None:
            initial = {name: getattr(ci, name) for name in (
                "name", "status", "location", "vendor", "contract")}
            initial.update(type=ci.type_id, owner_team=ci.owner_team_id,
                           service=ci.service_id, customer=ci.customer_id)
            initial.update({ATTRIBUTE_PREFIX + key: value
                            for key, value in ci.attributes.items()})
        super().__init__(data, initial=initial)
        self.fields["type"].choices = BLANK + list(CiType.objects.values_list("code", "name"))
        chosen = (data or {}).get("type") or type_code or initial.get("type", "")
        self.ci_type = CiType.objects.filter(code=chosen).first()
        if data is None and self.ci_type is not None:
            self.initial["type"] = self.ci_type.code
        self.attribute_keys = []
        if self.ci_type is not None:
            for definition in CiAttribute.objects.filter(ci_type=self.ci_type):
                self.fields[ATTRIBUTE_PREFIX + definition.key] = _attribute_field(definition)
                self.attribute_keys.append(definition.key)

    def attribute_fields(self) -> list:
        return [self[ATTRIBUTE_PREFIX + key] for key in self.attribute_keys]

    def main_fields(self) -> list:
        return [self[name] for name in self.fields if not name.startswith(ATTRIBUTE_PREFIX)]

    def draft(self) -> CiDraft:
        data = self.cleaned_data
        return CiDraft(
            name=data["name"], type=self.ci_type, status=data["status"],
            owner_team=data["owner_team"], service=data["service"], customer=data["customer"],
            location=data["location"], vendor=data["vendor"], contract=data["contract"],
            attributes={key: data[ATTRIBUTE_PREFIX + key] for key in self.attribute_keys})

    def attach(self, error: OpsDeskError) -> None:
        """The action's refusal, each message on its field."""
        if not error.fields:
            self.add_error(None, str(error.message))
        for name, text in error.fields.items():
            field = name.replace("attributes.", ATTRIBUTE_PREFIX, 1)
            self.add_error(field if field in self.fields else None, str(text))


class RelationshipForm(forms.Form):
    """A relationship from the item's page: “this item runs on X” (outgoing)
    or “X runs on this item” (incoming), X named exactly."""

    direction = forms.ChoiceField(label=_("direction"), choices=[
        ("out", _("this item → the other item")), ("in", _("the other item → this item"))])
    kind = forms.ChoiceField(label=_("relationship"), choices=RelationshipKind.choices)
    other = forms.CharField(label=_("other item (exact name)"), max_length=200)
