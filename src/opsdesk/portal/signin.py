"""E-mailed one-time sign-in links for requesters.

The answer to "send me a link" never says whether the address is known: a
link goes out only if one active requester has it, but the request is
recorded and rate-limited per address either way. The mail carries the
token; the database keeps its digest, and the mail's stored copy loses the
token once it is used, or when the request is purged a day later.
"""

import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from opsdesk.core import clock, outbox
from opsdesk.core.choices import Role
from opsdesk.core.claims import claim
from opsdesk.core.errors import OpsDeskError
from opsdesk.core.models import Notification, User

from .models import SignInLink, digest

# Links one address may ask for within RATE_WINDOW.
RATE_LIMIT = 3
RATE_WINDOW = timedelta(minutes=15)
# Requests are kept this long (for the rate limit), then purged.
KEPT_FOR = timedelta(days=1)
LINK_IN_MAIL = re.compile(r"\S*/portal/login/link/\S*")


class TooManyLinks(OpsDeskError):
    code = "too_many_requests"
    status = 429
    default_message = _("Too many sign-in links were asked for this address. Wait a quarter "
                        "of an hour and try again.")


def _address_digest(address: str) -> str:
    return digest(address.strip().lower())


@transaction.atomic(durable=True)
def request_link(address: str) -> None:
    """Record the request and, if one active requester has `address`, mail
    them a link. Raises TooManyLinks for any address asked too often."""
    now = clock.now()
    address_digest = _address_digest(address)
    recent = SignInLink.objects.filter(address_digest=address_digest,
                                       requested_at__gt=now - RATE_WINDOW)
    if recent.count() >= RATE_LIMIT:
        raise TooManyLinks()
    owners = list(User.objects.filter(email__iexact=address.strip(), is_active=True,
                                      role=Role.REQUESTER)[:2])
    user = owners[0] if len(owners) == 1 else None
    token = secrets.token_urlsafe(32) if user else None
    minutes = settings.OPSDESK_SIGNIN_LINK_MINUTES
    link = SignInLink.objects.create(
        address_digest=address_digest, user=user, token_digest=token and digest(token),
        requested_at=now, expires_at=now + timedelta(minutes=minutes),
    )
    if user is None:
        return
    outbox.enqueue(link, event="signin_link", recipients=[user.email],
                   language=user.language or settings.LANGUAGE_CODE, context={
                       "user": user, "minutes": minutes,
                       "signin_url": settings.OPSDESK_BASE_URL + reverse(
                           "portal:signin_link", args=[token]),
                   })


def find_link(token: str) -> SignInLink | None:
    """The unused, unexpired link this token opens, if any (does not use it)."""
    return SignInLink.objects.select_related("user").filter(
        token_digest=digest(token), used_at=None, expires_at__gt=clock.now(),
        user__is_active=True,
    ).first()


@transaction.atomic(durable=True)
def use_link(token: str) -> User | None:
    """Spend the link: the user it signs in, or None if it is unknown, used,
    expired or its user was deactivated. A link works once, also when it is
    followed twice at the same moment."""
    link = find_link(token)
    if link is None:
        return None
    spent = SignInLink.objects.filter(pk=link.pk, used_at=None).update(used_at=clock.now())
    if not spent:
        return None
    _redact(SignInLink.objects.filter(pk=link.pk))
    return link.user


def _redact(links) -> None:
    """Take the token out of the stored copies of the mails."""
    for notification in Notification.objects.filter(
            subject_type=SignInLink.TIMELINE_TYPE,
            subject_id__in=links.values_list("pk", flat=True)):
        Notification.objects.filter(pk=notification.pk).update(
            body=LINK_IN_MAIL.sub("[…]", notification.body))


class PurgeSignInLinks:
    """Worker handler: forget old requests, and the tokens in their mails."""

    name = "purge-signin-links"
    batch_size = 500

    def handle_one(self) -> bool:
        with transaction.atomic():
            old = claim(SignInLink.objects.filter(requested_at__lt=clock.now() - KEPT_FOR),
                        self.batch_size)
            if old:
                expired = SignInLink.objects.filter(pk__in=old)
                _redact(expired)
                expired.delete()
        return bool(old)
