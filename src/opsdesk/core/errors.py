"""Errors every layer understands: each has a stable code, an HTTP status and
a message in the caller's language. Actions raise them; the API and the
console turn them into a JSON body or a form message."""

from django.utils.translation import gettext_lazy as _


class OpsDeskError(Exception):
    code = "error"
    status = 400
    default_message = _("The request could not be completed.")

    def __init__(self, message=None, *, fields: dict | None = None):
        self.message = message if message is not None else self.default_message
        self.fields = fields or {}
        super().__init__(str(self.message))

    def as_dict(self) -> dict:
        body = {"code": self.code, "message": str(self.message)}
        if self.fields:
            body["fields"] = {name: str(text) for name, text in self.fields.items()}
        return body


class NotAuthenticated(OpsDeskError):
    code = "not_authenticated"
    status = 401
    default_message = _("Authentication required.")


class Forbidden(OpsDeskError):
    code = "forbidden"
    status = 403
    default_message = _("You are not allowed to do this.")


class NotFound(OpsDeskError):
    code = "not_found"
    status = 404
    default_message = _("Not found.")


class Invalid(OpsDeskError):
    code = "invalid"
    status = 422
    default_message = _("Some fields are not valid.")


class VersionConflict(OpsDeskError):
    code = "version_conflict"
    status = 409
    default_message = _(
        "This record was changed by someone else. Reload it and apply your change again."
    )


class TransitionNotAllowed(OpsDeskError):
    code = "transition_not_allowed"
    status = 409


class RecordClosed(OpsDeskError):
    """A closed record never changes again; subclasses name the record kind."""

    status = 409
