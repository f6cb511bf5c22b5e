"""What the channels share: the failure they raise, the tagged subject, the
target check and a JSON POST that neither follows redirects nor hangs."""

import json
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings

from opsdesk.core.models import Notification, NotificationTarget


class DeliveryError(Exception):
    """The message did not get through. `permanent`: retrying cannot help
    (a refused address, a rejected request), so the row goes dead at once."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


def tagged_subject(notification: Notification) -> str:
    return f"[{notification.reference}] {notification.subject}"


def plain_text(notification: Notification) -> str:
    return f"{tagged_subject(notification)}\n\n{notification.body}"


def usable_target(notification: Notification) -> NotificationTarget:
    target = notification.target
    if target is None:
        raise DeliveryError("the notification target was deleted", permanent=True)
    if not target.enabled:
        raise DeliveryError(f"the notification target “{target}” is disabled", permanent=True)
    if target.kind != notification.channel:
        raise DeliveryError(f"the notification target “{target}” is a {target.kind} target",
                            permanent=True)
    return target


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect would turn the POST into a GET elsewhere; the admin
    # configured one address and only that one is called.
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def encode(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode()


def post_json(url: str, body: bytes, headers: dict[str, str] | None = None) -> dict | None:
    """POST `body` as JSON; the parsed reply, or None when it is not JSON."""
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "OpsDesk",
        **(headers or {}),
    })
    host = urlsplit(url).netloc
    try:
        with _opener.open(request, timeout=settings.OPSDESK_HTTP_TIMEOUT) as response:
            reply = response.read(65536)
    except urllib.error.HTTPError as error:
        # Client errors other than "too many requests" or "timeout" will not
        # go away by themselves.
        permanent = 300 <= error.code < 500 and error.code not in (408, 429)
        raise DeliveryError(f"{host} answered HTTP {error.code} {error.reason}",
                            permanent=permanent) from None
    except urllib.error.URLError as error:
        raise DeliveryError(f"cannot reach {host}: {error.reason}") from None
    except OSError as error:
        raise DeliveryError(f"cannot reach {host}: {error}") from None
    try:
        return json.loads(reply)
    except ValueError:
        return None


def check_robot_reply(reply: dict | None, code_field: str, message_field: str) -> None:
    """Robot APIs answer HTTP 200 with an error code in the body."""
    if reply is None:
        raise DeliveryError("the robot answered without JSON")
    code = reply.get(code_field)
    if code != 0:
        raise DeliveryError(f"the robot refused the message: {code} {reply.get(message_field)}")
