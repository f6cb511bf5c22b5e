from django.conf import settings
from django.utils import translation
from django.utils.translation import get_supported_language_variant

API_PREFIX = "/api/"


def _supported(code: str | None) -> str | None:
    if not code:
        return None
    try:
        return get_supported_language_variant(code)
    except LookupError:
        return None


class LanguageMiddleware:
    """Chooses the UI language: the user's explicit choice (language cookie,
    then profile), then for API callers their Accept-Language, else the
    configured default (zh-hans). Browsers' Accept-Language is deliberately
    not used for the console: OpsDesk is Chinese first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = _supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
        user = getattr(request, "user", None)
        if language is None and user is not None and user.is_authenticated:
            language = _supported(user.language)
        if language is None and request.path.startswith(API_PREFIX):
            language = _supported(translation.get_language_from_request(request))
        language = language or settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
