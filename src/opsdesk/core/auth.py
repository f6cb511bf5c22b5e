"""API authentication: `Authorization: Bearer TOKEN` or the console session."""

from ninja.security import APIKeyCookie, HttpBearer

from . import clock
from .models import ApiToken

# Writing last_used_at on every request would serialise API clients on one
# row; once a minute is enough to see whether a token is in use.
LAST_USED_RESOLUTION_SECONDS = 60


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        row = (
            ApiToken.objects.select_related("user")
            .filter(digest=ApiToken.digest_of(token), user__is_active=True)
            .first()
        )
        if row is None:
            return None
        now = clock.now()
        if row.last_used_at is None or (now - row.last_used_at).total_seconds() > (
            LAST_USED_RESOLUTION_SECONDS
        ):
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.user = row.user
        return row.user


class ConsoleSession(APIKeyCookie):
    """The console's session cookie; unsafe methods also need the CSRF token."""

    param_name = "sessionid"

    def __init__(self):
        super().__init__(csrf=True)

    def _get_key(self, request):
        # No session cookie: not a console call, so skip the CSRF check and
        # let an anonymous caller get 401 not_authenticated rather than 403.
        if self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request, key):
        user = request.user
        return user if user.is_authenticated and user.is_active else None


