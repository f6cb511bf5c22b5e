"""Console forms. They only parse what the agent typed; every rule is checked
by the action each form calls (`run`), whose errors the view shows beside the
form. Field names match the action keywords and the API."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opsdesk.core import clock
from opsdesk.core.choices import Tier
from opsdesk.core.errors import Invalid, OpsDeskError
from opsdesk.core.models import Category, ConfigurationItem, Customer, Service, Team, User
from opsdesk.problems.incident_links import named_problem
from opsdesk.sla.choices import Impact, Priority, Urgency

from . import actions, rules
from .choices import Action, Channel, ClosureCode, Kind, WaitingOn
from .queries import SORTS, get_incident_for

SOURCE = "web"
BLANK = [("", "—")]


class LocalDateTimeInput(forms.DateTimeInput):
    """To the second: a time pre-filled with "now" must not fall before an
    occurrence logged earlier in the same minute."""

    input_type = "datetime-local"

    def __init__(self):
        super().__init__(format="%Y-%m-%dT%H:%M:%S", attrs={"step": 1})


def local_time(value):
    """A stored time as the agent sees it: in the configured zone, to the
    second, so an untouched field does not count as changed."""
    return timezone.localtime(value).replace(microsecond=0) if value else None


class Choice(forms.ModelChoiceField):
    """A record picker whose empty choice reads "—", as everywhere in the console."""

    def __init__(self, queryset, **kwargs):
        kwargs.setdefault("empty_label", BLANK[0][1])
        super().__init__(queryset, **kwargs)


class CustomerChoice(Choice):
    def label_from_instance(self, obj):
        return f"{obj.name} (VIP)" if obj.is_vip else obj.name


class TeamGroupedChoices(forms.models.ModelChoiceIterator):
    """Options grouped by team, so the agent picks someone from the chosen team."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        groups: dict[str, list] = {}
        for user in self.queryset:
            groups.setdefault(user.team.name, []).append(self.choice(user))
        yield from groups.items()


class AssigneeChoice(forms.ModelChoiceField):
    iterator = TeamGroupedChoices

    def __init__(self, **kwargs):
        super().__init__(
            queryset=User.objects.filter(is_active=True, team__isnull=False,
                                         role__in=rules.HANDLERS)
            .select_related("team").order_by("team__name", "username"),
            empty_label=_("Anyone in the team"),
            **kwargs,
        )


class ClassificationFields(forms.Form):
    """What the incident is about; confirmed again when it is resolved (INC-14)."""

    category = Choice(Category.objects.select_related("parent"),
                                      label=_("category"), required=False)
    ci = Choice(ConfigurationItem.objects.all(), label=_("configuration item"),
                                required=False)


class IncidentFieldsForm(ClassificationFields):
    """The record fields an agent types when logging or editing an incident."""

    title = forms.CharField(label=_("title"), max_length=200)
    kind = forms.ChoiceField(label=_("kind"), choices=Kind.choices, initial=Kind.FAULT)
    impact = forms.ChoiceField(label=_("impact"), choices=BLANK + Impact.choices)
    urgency = forms.ChoiceField(label=_("urgency"), choices=BLANK + Urgency.choices)
    symptoms = forms.CharField(label=_("symptoms"), required=False,
                               widget=forms.Textarea(attrs={"rows": 2}))
    description = forms.CharField(label=_("description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    system_type = forms.CharField(label=_("system type"), max_length=100, required=False)
    reporter_name = forms.CharField(label=_("reporter"), max_length=100, required=False)
    reporter_phone = forms.CharField(label=_("reporter phone"), max_length=40, required=False)
    reporter_email = forms.EmailField(label=_("reporter e-mail"), required=False)
    occurred_at = forms.DateTimeField(label=_("occurred at"), required=False,
                                      widget=LocalDateTimeInput())
    service = Choice(Service.objects.all(), label=_("service"), required=False)
    customer = CustomerChoice(Customer.objects.all(), label=_("customer"), required=False)


class NewIncidentForm(IncidentFieldsForm):
    channel = forms.ChoiceField(label=_("channel"), choices=Channel.choices,
                                initial=Channel.PHONE)
    # Set by the duplicate suggestions: the number of the master incident.
    duplicate_of = forms.CharField(required=False, widget=forms.HiddenInput)

    field_order = ["title", "symptoms", "description", "kind", "channel", "impact", "urgency",
                   "customer", "category", "system_type", "ci", "service", "reporter_name",
                   "reporter_phone", "reporter_email", "occurred_at"]

    def log(self, actor):
        data = {k: v for k, v in self.cleaned_data.items() if k != "duplicate_of"}
        return actions.log_incident(actor=actor, source=SOURCE, **data)


def attach_error(form, error) -> None:
    """Show an action's error (an OpsDeskError) beside the form: field
    messages on their fields."""
    form.add_error(None, str(error.message))
    for name, text in error.fields.items():
        field = form.fields.get(name)
        form.add_error(name if field is not None and not field.widget.is_hidden else None,
                       str(text))


def run_action(form) -> tuple[object, int | None]:
    """Run a bound action form: (the action's result, None), or (None, the
    HTTP status) with the errors on the form."""
    if not form.is_valid():
        return None, Invalid.status
    try:
        return form.run(), None
    except OpsDeskError as error:
        attach_error(form, error)
        return None, error.status


class ActionForm(forms.Form):
    """A form for one lifecycle action on one incident. It carries the version
    the agent saw, so a change made meanwhile by someone else is refused."""

    action: Action
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, incident, user, source=SOURCE, **kwargs):
        kwargs.setdefault("auto_id", f"{self.action.value}-%s")
        kwargs.setdefault("initial", {}).setdefault("version", incident.version)
        super().__init__(*args, **kwargs)
        self.incident, self.user, self.source = incident, user, source

    def context(self) -> dict:
        return {"actor": self.user, "source": self.source,
                "expected_version": self.cleaned_data["version"]}

    def run(self):
        raise NotImplementedError


class AssignForm(ActionForm):
    action = Action.ASSIGN
    team = Choice(Team.objects.all(), label=_("team"))
    assignee = AssigneeChoice(label=_("assignee"), required=False)
    note = forms.CharField(label=_("note"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def run(self):
        return actions.assign(self.incident, **self.context(), team=self.cleaned_data["team"],
                              assignee=self.cleaned_data["assignee"],
                              note=self.cleaned_data["note"])


class AcceptForm(ActionForm):
    action = Action.ACCEPT

    def run(self):
        return actions.accept(self.incident, **self.context())


class PendForm(ActionForm):
    action = Action.PEND
    waiting_on = forms.ChoiceField(label=_("waiting on"), choices=WaitingOn.choices)
    vendor = Choice(Team.objects.filter(tier=Tier.VENDOR), label=_("vendor"), required=False,
                    help_text=_("When waiting on a vendor: which one. By default the vendor "
                                "the incident is assigned to."))
    reason = forms.CharField(label=_("reason"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def run(self):
        return actions.pend(self.incident, **self.context(),
                            waiting_on=self.cleaned_data["waiting_on"],
                            vendor=self.cleaned_data["vendor"],
                            reason=self.cleaned_data["reason"])


class NoteForm(ActionForm):
    """Actions that only take an optional note."""

    note = forms.CharField(label=_("note"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    perform = None

    def run(self):
        return type(self).perform(self.incident, **self.context(), note=self.cleaned_data["note"])


class ResumeForm(NoteForm):
    action = Action.RESUME
    perform = staticmethod(actions.resume)


class ConfirmForm(NoteForm):
    action = Action.CONFIRM
    perform = staticmethod(actions.confirm)


class CloseForm(NoteForm):
    action = Action.CLOSE
    perform = staticmethod(actions.close)


class InterveneForm(NoteForm):
    action = Action.INTERVENE
    perform = staticmethod(actions.intervene)


class ArriveForm(ActionForm):
    action = Action.ARRIVE
    arrived_at = forms.DateTimeField(label=_("arrived on site at"), required=False,
                                     widget=LocalDateTimeInput())
    note = forms.CharField(label=_("note"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, incident, user, **kwargs):
        kwargs["initial"] = {"arrived_at": local_time(clock.now()), **kwargs.get("initial", {})}
        super().__init__(*args, incident=incident, user=user, **kwargs)

    def run(self):
        return actions.record_arrival(self.incident, **self.context(),
                                      arrived_at=self.cleaned_data["arrived_at"],
                                      note=self.cleaned_data["note"])


class ResolveForm(ActionForm, ClassificationFields):
    action = Action.RESOLVE
    closure_code = forms.ChoiceField(label=_("closure code"),
                                     choices=BLANK + ClosureCode.choices, required=False)
    solution = forms.CharField(label=_("solution"), required=False,
                               widget=forms.Textarea(attrs={"rows": 3}))
    business_recovered_at = forms.DateTimeField(label=_("business recovered at"),
                                                required=False, widget=LocalDateTimeInput())
    failure_vendor = forms.CharField(label=_("failure vendor"), max_length=100, required=False)
    resolver_role = forms.ChoiceField(label=_("resolver role"), choices=Tier.choices)
    system_type = forms.CharField(label=_("system type"), max_length=100, required=False)
    problem = forms.CharField(
        label=_("problem"), max_length=24, required=False,
        widget=forms.TextInput(attrs={"placeholder": "PRB-20261123-0001 / new"}),
        help_text=_("Closing with a workaround or with a problem raised needs one: a problem "
                    "number, or “new” to raise it from this incident."))

    def __init__(self, *args, incident, user, **kwargs):
        kwargs["initial"] = {
            "business_recovered_at": local_time(clock.now()),
            "failure_vendor": incident.failure_vendor,
            "resolver_role": actions.resolver_role_for(user, incident),
            "system_type": incident.system_type,
            "category": incident.category_id,
            "ci": incident.ci_id,
            **kwargs.get("initial", {}),
        }
        super().__init__(*args, incident=incident, user=user, **kwargs)

    def run(self):
        return actions.resolve(self.incident, **self.context(), **{
            name: self.cleaned_data[name] for name in (
                "closure_code", "solution", "business_recovered_at", "failure_vendor",
                "resolver_role", "category", "ci", "system_type")
        }, problem=named_problem(self.user, self.cleaned_data["problem"]))


class RejectForm(ActionForm):
    action = Action.REJECT
    reason = forms.CharField(label=_("reason the requester gave"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def run(self):
        return actions.reject(self.incident, **self.context(), reason=self.cleaned_data["reason"])


class LinkDuplicateForm(ActionForm):
    action = Action.LINK_DUPLICATE
    master = forms.CharField(label=_("master incident number"), max_length=24,
                             widget=forms.TextInput(attrs={"placeholder": "INC-20261123-0001"}))

    def run(self):
        master = get_incident_for(self.user, self.cleaned_data["master"].strip().upper())
        return actions.link_duplicate(self.incident, **self.context(), master=master)


class OverridePriorityForm(ActionForm):
    action = Action.OVERRIDE_PRIORITY
    priority = forms.TypedChoiceField(label=_("priority"), choices=Priority.choices, coerce=int)
    reason = forms.CharField(label=_("reason"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def run(self):
        return actions.override_priority(self.incident, **self.context(),
                                         priority=self.cleaned_data["priority"],
                                         reason=self.cleaned_data["reason"])


class CommentForm(ActionForm):
    action = Action.COMMENT
    body = forms.CharField(label=_("comment"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))
    public = forms.BooleanField(label=_("visible to requester"), required=False)

    def run(self):
        return actions.comment(self.incident, **self.context(), body=self.cleaned_data["body"],
                               public=self.cleaned_data["public"])


class UpdateForm(ActionForm, IncidentFieldsForm):
    """Edit fields: only what the agent changed is sent to the action."""

    action = Action.UPDATE
    failure_vendor = forms.CharField(label=_("failure vendor"), max_length=100, required=False)

    def __init__(self, *args, incident, user, **kwargs):
        initial = {name: getattr(incident, name) for name in (
            "title", "kind", "impact", "urgency", "symptoms", "description", "system_type",
            "reporter_name", "reporter_phone", "reporter_email", "failure_vendor")}
        initial.update(category=incident.category_id, ci=incident.ci_id,
                       service=incident.service_id, customer=incident.customer_id,
                       occurred_at=local_time(incident.occurred_at))
        kwargs["initial"] = {**initial, **kwargs.get("initial", {})}
        super().__init__(*args, incident=incident, user=user, **kwargs)

    def run(self):
        changes = {name: self.cleaned_data[name] for name in self.changed_data
                   if name != "version"}
        return actions.update_incident(self.incident, **self.context(), changes=changes)


ACTION_FORMS: dict[Action, type[ActionForm]] = {
    form.action: form for form in (
        UpdateForm, CommentForm, AssignForm, AcceptForm, PendForm, ResumeForm, ResolveForm,
        ConfirmForm, RejectForm, CloseForm, LinkDuplicateForm, OverridePriorityForm,
        InterveneForm, ArriveForm,
    )
}


SORT_LABELS = {
    "newest": _("Newest first"),
    "oldest": _("Oldest first"),
    "priority": _("Priority"),
    "updated": _("Recently updated"),
}


class QueueFilterForm(forms.Form):
    """The queue's filters; all optional, read from the query string."""

    status = forms.ChoiceField(label=_("status"), required=False)
    priority = forms.TypedChoiceField(label=_("priority"), required=False, coerce=int,
                                      choices=BLANK + Priority.choices, empty_value=None)
    team = forms.ChoiceField(label=_("team"), required=False)
    q = forms.CharField(label=_("search"), required=False, max_length=200)
    sort = forms.ChoiceField(label=_("sort"), required=False,
                             choices=[(key, SORT_LABELS[key]) for key in SORTS])

    def __init__(self, *args, statuses, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = BLANK + statuses
        self.fields["team"].choices = BLANK + [(name, name) for name in teams]
