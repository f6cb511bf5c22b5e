"""The REST API at /api/v1/: one NinjaAPI, routers per app, JSON errors
{code, message, fields?} with the message in the caller's language."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from opsdesk.core.auth import BearerToken, ConsoleSession
from opsdesk.core.errors import Forbidden, Invalid, NotAuthenticated, NotFound, OpsDeskError


def signed_in_only(view):
    """The OpenAPI document and docs page need a signed-in user or a token too."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        if request.user.is_authenticated or BearerToken()(request) is not None:
            return view(request, *args, **kwargs)
        if request.path.endswith(".json"):
            return JsonResponse(NotAuthenticated().as_dict(), status=401)
        return redirect_to_login(request.get_full_path())

    return guarded


api = NinjaAPI(
    title="OpsDesk API",
    version="1",
    description="Incidents, teams and the incident lifecycle. Authenticate with "
    "`Authorization: Bearer TOKEN` (create one with `opsdesk token create --user NAME`).",
    auth=[BearerToken(), ConsoleSession()],
    urls_namespace="api",
    docs_decorator=signed_in_only,
)


def _error(request, error: OpsDeskError):
    return api.create_response(request, error.as_dict(), status=error.status)


@api.exception_handler(OpsDeskError)
def opsdesk_error(request, exc: OpsDeskError):
    return _error(request, exc)


@api.exception_handler(AuthenticationError)
def authentication_error(request, exc):
    return _error(request, NotAuthenticated())


# Where ninja says a value came from; clients only need the field's own name.
PARAM_SOURCES = {"body", "query", "path", "header", "payload", "data"}


def _field_name(location: tuple) -> str:
    parts = [str(p) for p in location if p not in PARAM_SOURCES]
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
    if kind == "timezone_aware":
        return _("Give a time zone with the time.")
    if kind.startswith("datetime"):
        return _("Must be a date and time, e.g. 2026-11-23T09:30:00+08:00.")
    if kind.startswith("string_too_long"):
        return _("Too long.")
    if kind == "string_type":
        return _("Must be text.")
    if kind == "bool_type" or kind == "bool_parsing":
        return _("Must be true or false.")
    if kind == "greater_than_equal":
        return _("Must be at least %(n)s.") % {"n": problem["ctx"]["ge"]}
    if kind == "less_than_equal":
        return _("Must be at most %(n)s.") % {"n": problem["ctx"]["le"]}
    if kind == "extra_forbidden":
        return _("Unknown field.")
    if kind.startswith("json"):
        return _("The request body is not valid JSON.")
    return _("This value is not valid.")


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    """ninja's own errors, in our format: an unreadable body (400) is bad
    input like any other; a failed CSRF check on a session call is 403."""
    if exc.status_code == 400:
        error = Invalid(fields={"body": _("The request body is not valid JSON.")})
    elif exc.status_code == 401:
        error = NotAuthenticated()
    elif exc.status_code == 403:
        error = Forbidden(_("The CSRF check failed: send the X-CSRFToken header."))
    elif exc.status_code == 404:
        error = NotFound()
    else:
        error = OpsDeskError(str(exc))
        error.status = exc.status_code
    return _error(request, error)


api.add_router("/", "opsdesk.core.api.router")
api.add_router("/incidents", "opsdesk.incidents.api.router")
api.add_router("/alerts", "opsdesk.alerts.api.router")
api.add_router("/articles", "opsdesk.knowledge.api.router")
api.add_router("/problems", "opsdesk.problems.api.router")
api.add_router("/cis", "opsdesk.cmdb.api.router")
api.add_router("/changes", "opsdesk.changes.api.router")
api.add_router("/major-incidents", "opsdesk.major.api.router")
api.add_router("/calls", "opsdesk.calls.api.router")
api.add_router("/reports", "opsdesk.reports.api.router")
api.add_router("/audit", "opsdesk.audit.api.router")
