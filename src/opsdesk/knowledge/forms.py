"""Console forms. They only parse what was typed; every rule is checked by
the action the view calls. CIs and services are typed as names (the CMDB
has far too many CIs for a list to choose from)."""

import re

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opsdesk.core.models import Category, ConfigurationItem, Service
from opsdesk.incidents.forms import Choice

from .choices import ArticleStatus, Language
from .models import Article

NAME_SEPARATORS = re.compile(r"[,，;；\n]+")


def _named(text: str, model, lookups: tuple[str, ...]) -> tuple[list, list[str]]:
    """The rows the names in `text` stand for, and the names that stand for none."""
    rows, unknown = [], []
    for name in filter(None, (part.strip() for part in NAME_SEPARATORS.split(text or ""))):
        row = next((found for lookup in lookups
                    for found in model.objects.filter(**{lookup: name})[:1]), None)
        if row is None:
            unknown.append(name)
        elif row not in rows:
            rows.append(row)
    return rows, unknown


class ArticleForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=Language.choices)
    category = Choice(Category.objects.select_related("parent"), required=False,
                      label=gettext_lazy("Category"))
    cis = forms.CharField(label=gettext_lazy("Configuration items (names, comma-separated)"),
                          required=False)
    services = forms.CharField(label=gettext_lazy("Services (names, comma-separated)"),
                               required=False)
    symptoms = forms.CharField(label=gettext_lazy("Symptoms"), required=False,
                               widget=forms.Textarea(attrs={"rows": 4}))
    cause = forms.CharField(label=gettext_lazy("Cause"), required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))
    solution = forms.CharField(label=gettext_lazy("Solution"),
                               widget=forms.Textarea(attrs={"rows": 8}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    @classmethod
    def for_article(cls, article: Article, data=None):
        return cls(data, initial={
            "title": article.title, "language": article.language,
            "category": article.category_id, "symptoms": article.symptoms,
            "cause": article.cause, "solution": article.solution, "version": article.version,
            "cis": ", ".join(ci.name for ci in article.cis.all()),
            "services": ", ".join(service.name for service in article.services.all()),
        })

    def clean_cis(self):
        return self._rows("cis", ConfigurationItem, ("name",))

    def clean_services(self):
        return self._rows("services", Service, ("name", "code"))

    def _rows(self, field: str, model, lookups) -> list:
        rows, unknown = _named(self.cleaned_data[field], model, lookups)
        if unknown:
            raise forms.ValidationError(_("Nothing called “%(name)s” was found.")
                                        % {"name": "”, “".join(unknown)})
        return rows

    def values(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


class SearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=500)
    status = forms.ChoiceField(required=False, choices=[("", "—"), *ArticleStatus.choices])
