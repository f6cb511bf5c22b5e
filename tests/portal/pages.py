"""Reading portal pages the way a person would: without the random CSRF
tokens, which can contain any short string (a "P2", say) by chance."""

import re

CSRF_TOKENS = re.compile(r'"X-CSRFToken": "\w+"|name="csrfmiddlewaretoken" value="\w+"')


def without_csrf_tokens(html: str) -> str:
    return CSRF_TOKENS.sub("", html)
