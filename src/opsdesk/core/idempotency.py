"""API `Idempotency-Key` support for creates: the same key and request from
the same user yield the record the first request made; a reused key with a
different request is refused."""

import hashlib
import json

from django.db import connection
from django.utils.translation import gettext as _

from .errors import Invalid
from .models import IdempotencyKey


def request_digest(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def claim(user, key: str, digest: str, now) -> int | None:
    """Take `key` for this request before creating anything; returns the
    claim's id, or None when an earlier request holds the key (ask
    `earlier_result`). One statement, no savepoint: a concurrent request with
    the same key waits on the unique index until the first one commits, and
    then finds its claim taken."""
    table = connection.ops.quote_name(IdempotencyKey._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (user_id, key, request_digest, result, created_at) "
            "VALUES (%s, %s, %s, '', %s) ON CONFLICT (user_id, key) DO NOTHING RETURNING id",
            [user.pk, key, digest, connection.ops.adapt_datetimefield_value(now)],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def record_result(claim_id: int, result: str) -> None:
    """What the claiming request made (a record's reference), for its replays."""
    IdempotencyKey.objects.filter(pk=claim_id).update(result=result)


def earlier_result(user, key: str, digest: str) -> str:
    """What the earlier request with this key produced; refused if that
    request was a different one."""
    result, earlier_digest = IdempotencyKey.objects.filter(user=user, key=key).values_list(
        "result", "request_digest").get()
    if earlier_digest != digest:
        raise Invalid(
            _("This Idempotency-Key was already used for a different request."),
            fields={"Idempotency-Key": _("Use a new key for a new request.")},
        )
    return result
