"""The record types that keep a timeline (models with TIMELINE_TYPE) and the
record behind a (type, id)."""

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _

from opsdesk.core.errors import NotFound


def subject_models() -> dict:
    return {model.TIMELINE_TYPE: model for model in apps.get_models()
            if hasattr(model, "TIMELINE_TYPE")}


def model_of(subject_type: str):
    model = subject_models().get(subject_type)
    if model is None:
        raise NotFound(_("There is no record type “%(type)s”.") % {"type": subject_type})
    return model


def find(subject_type: str, key: str):
    """The record of this type whose id, or number, is `key`."""
    model = model_of(subject_type)
    if key.isdigit():
        record = model.objects.filter(pk=int(key)).first()
    elif _has_number(model):
        record = model.objects.filter(number=key).first()
    else:
        record = None
    if record is None:
        raise NotFound(_("No %(type)s %(key)s.") % {"type": model._meta.verbose_name,
                                                        "key": key})
    return record


def label(subject_type: str, subject_id: int) -> str:
    """How a report names a record: its type and number (or name), and its id."""
    model = subject_models().get(subject_type)
    if model is None:
        return f"{subject_type} #{subject_id}"
    record = model.objects.filter(pk=subject_id).first()
    name = "" if record is None else getattr(record, "number", None) or str(record)
    return " ".join(part for part in (str(model._meta.verbose_name), name, f"(#{subject_id})")
                    if part)


def _has_number(model) -> bool:
    try:
        model._meta.get_field("number")
    except FieldDoesNotExist:
        return False
    return True
