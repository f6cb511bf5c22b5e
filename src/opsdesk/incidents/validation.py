"""Field checks shared by the actions. Each collects a message per field into
`errors` (so a form shows all problems at once) and returns the clean value."""

from datetime import datetime

from django.utils.translation import gettext as _


def required_text(value, field: str, max_length: int, errors: dict) -> str:
    text = optional_text(value, field, max_length, errors)
    if not text and field not in errors:
        errors[field] = _("This field is required.")
    return text


def optional_text(value, field: str, max_length: int, errors: dict) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        errors[field] = _("Must be text.")
        return ""
    text = value.strip()
    if len(text) > max_length:
        errors[field] = _("At most %(n)d characters.") % {"n": max_length}
    return text


def choice(value, choices, field: str, errors: dict):
    if value in choices.values:
        return choices(value)
    errors[field] = _("Choose one of: %(options)s.") % {"options": ", ".join(map(str,
                                                                                 choices.values))}
    return None


def within_past(value: datetime | None, field: str, now: datetime, errors: dict):
    if value is None:
        return None
    if value.tzinfo is None:
        errors[field] = _("Give a time zone with the time.")
        return None
    if value > now:
        errors[field] = _("This time is in the future.")
        return None
    return value


# The record's free-text fields: maximum length, and whether one is required.
TEXT_FIELDS = {
    "title": (200, True),
    "description": (20000, False),
    "symptoms": (20000, False),
    "system_type": (100, False),
    "failure_vendor": (100, False),
    "reporter_name": (100, False),
    "reporter_email": (254, False),
    "reporter_phone": (40, False),
}


def text_fields(values: dict, errors: dict) -> dict:
    """Clean whichever of the record's text fields `values` carries."""
    cleaned = {}
    for name, value in values.items():
        limit, required = TEXT_FIELDS[name]
        cleaned[name] = (required_text if required else optional_text)(
            value, name, limit, errors
        )
    return cleaned
