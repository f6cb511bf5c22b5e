"""Checking a CI's attribute values against its type's definitions. Values
are stored as JSON: numbers as numbers, dates as ISO text, the rest as text."""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from .choices import AttributeKind
from .models import CiAttribute, CiType


def clean_attributes(ci_type: CiType, values: dict) -> tuple[dict, dict]:
    """(cleaned values, errors by "attributes.<key>"). Empty values are dropped."""
    definitions = {row.key: row for row in CiAttribute.objects.filter(ci_type=ci_type)}
    cleaned, errors = {}, {}
    for key in values:
        if key not in definitions:
            errors[f"attributes.{key}"] = _("A %(type)s has no attribute “%(key)s”.") % {
                "type": ci_type.name, "key": key}
    for key, definition in definitions.items():
        value = values.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if definition.required:
                errors[f"attributes.{key}"] = _("%(label)s is required.") % {
                    "label": definition.label}
            continue
        try:
            cleaned[key] = _typed(definition, value)
        except ValueError as problem:
            errors[f"attributes.{key}"] = f"{definition.label}: {problem}"
    return cleaned, errors


def _typed(definition: CiAttribute, value):
    text = str(value).strip()
    match definition.kind:
        case AttributeKind.NUMBER:
            if isinstance(value, bool):
                raise ValueError(_("Must be a number."))
            try:
                number = Decimal(text)
            except InvalidOperation:
                raise ValueError(_("Must be a number.")) from None
            if not number.is_finite():
                raise ValueError(_("Must be a number."))
            return int(number) if number == number.to_integral_value() else float(number)
        case AttributeKind.DATE:
            if isinstance(value, datetime):  # a date cell read from a spreadsheet
                value = value.date()
            if isinstance(value, date):
                return value.isoformat()
            try:
                return date.fromisoformat(text).isoformat()
            except ValueError:
                raise ValueError(_("Must be a date, e.g. 2026-11-23.")) from None
        case AttributeKind.CHOICE:
            if text not in definition.choices:
                raise ValueError(_("Choose one of: %(options)s.") % {
                    "options": ", ".join(definition.choices)})
            return text
    return text
