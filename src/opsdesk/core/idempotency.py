"""API `Idempotency-Key` support for creates: the same key and request from
the same user yield the record the first request made; a reused key with a
different request is refused."""

import hashlib
import json

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .errors import Invalid
from .models import IdempotencyKey


class ConcurrentReplay(Exception):
    """Another request with the same key is being (or was just) processed."""


def request_digest(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def earlier_result(user, key: str, digest: str) -> str | None:
    """What an earlier request with this key produced (a record's reference), if any."""
    previous = IdempotencyKey.objects.filter(user=user, key=key).first()
    if previous is None:
        return None
    if previous.request_digest != digest:
        raise Invalid(
            _("This Idempotency-Key was already used for a different request."),
            fields={"Idempotency-Key": _("Use a new key for a new request.")},
        )
    return previous.result


def claim(user, key: str, digest: str, now) -> IdempotencyKey:
    """Insert the key before creating anything: a concurrent request with the
    same key blocks on the unique index, then fails here and should replay."""
    try:
        with transaction.atomic():
            return IdempotencyKey.objects.create(
                user=user, key=key, request_digest=digest, created_at=now
            )
    except IntegrityError:
        raise ConcurrentReplay() from None
