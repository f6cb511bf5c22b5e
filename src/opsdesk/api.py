"""The REST API at /api/v1/: one NinjaAPI, routers per app, JSON errors
{code, message, fields?} with the message in the caller's language."""

from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from opsdesk.core.auth import BearerToken, ConsoleSession
from opsdesk.core.errors import Invalid, NotAuthenticated, OpsDeskError

api = NinjaAPI(
    title="OpsDesk API",
    version="1",
    description="Incidents, teams and the incident lifecycle. Authenticate with "
    "`Authorization: Bearer TOKEN` (create one with `opsdesk token create --user NAME`).",
    auth=[BearerToken(), ConsoleSession()],
    urls_namespace="api",
)


def _error(request, error: OpsDeskError):
    return api.create_response(request, error.as_dict(), status=error.status)


@api.exception_handler(OpsDeskError)
def opsdesk_error(request, exc: OpsDeskError):
    return _error(request, exc)


@api.exception_handler(AuthenticationError)
def authentication_error(request, exc):
    return _error(request, NotAuthenticated())


def _field_name(location: tuple) -> str:
    parts = [str(p) for p in location if p not in {"body", "query", "path", "payload", "data"}]
    return ".".join(parts) or "body"


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    fields = {}
    for problem in exc.errors:
        fields.setdefault(_field_name(tuple(problem.get("loc", ()))), _describe(problem))
    return _error(request, Invalid(fields=fields))


def _describe(problem: dict) -> str:
    kind = problem.get("type", "")
    if kind == "missing":
        return _("This field is required.")
    if kind in {"enum", "literal_error"}:
        expected = problem.get("ctx", {}).get("expected", "")
        return _("Choose one of: %(options)s.") % {"options": expected}
    if kind.startswith("int") or kind.startswith("float"):
        return _("Must be a number.")
    if kind.startswith("datetime"):
        return _("Must be a date and time, e.g. 2026-11-23T09:30:00+08:00.")
    if kind.startswith("string_too_long"):
        return _("Too long.")
    if kind.startswith("json"):
        return _("The request body is not valid JSON.")
    return _("This value is not valid.")


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    error = OpsDeskError(str(exc))
    error.status = exc.status_code
    return _error(request, error)


api.add_router("/", "opsdesk.core.api.router")
api.add_router("/incidents", "opsdesk.incidents.api.router")
