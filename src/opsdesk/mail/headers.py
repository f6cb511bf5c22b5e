"""Reading header values that real mailers get wrong: addresses, dates, Message-IDs."""

import re
from datetime import UTC, datetime
from email.utils import getaddresses, parsedate_to_datetime

from opsdesk.mail.charsets import decode_8bit, decode_header

ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
_BRACKETED_ID = re.compile(r"<([^<>\s]+)>")


def message_ids(value: str) -> tuple[str, ...]:
    """Every Message-ID in a header, each in angle brackets: "a@x <b@y>" → ("<a@x>", "<b@y>")."""
    found = _BRACKETED_ID.findall(value)
    if not found:  # some mailers drop the brackets
        found = [token.strip("<>,;") for token in value.split() if "@" in token]
    return tuple(dict.fromkeys(f"<{message_id}>" for message_id in found if message_id))


def addresses(raw: str, defects: list[str], *, hint: str, name: str) -> list[tuple[str, str]]:
    """(display name, lower-cased address) pairs of an address header as found in the message."""
    pairs = _split(decode_8bit(raw, defects, hint=hint, name=name), defects, name)
    if raw and not any("@" in address for _, address in pairs):
        # The address itself sits inside an encoded word: decode first, then split.
        pairs = _split(decode_header(raw, defects, hint=hint, name=name), defects, name)
    return [
        (decode_header(display, defects, hint=hint, name=name).strip('"').strip(),
         address.strip().lower())
        for display, address in pairs
        if "@" in address
    ]


def _split(value: str, defects: list[str], name: str) -> list[tuple[str, str]]:
    try:
        return getaddresses([value])
    except RecursionError:  # the stdlib recurses once per nested comment or group
        defects.append(f"{name}: too deeply nested to parse; addresses picked out")
        return [("", address) for address in ADDRESS.findall(value)]


def date(value: str, defects: list[str]) -> datetime | None:
    """An aware datetime (UTC when the zone is missing or "-0000"); None when unreadable."""
    if not value.strip():
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        defects.append(f"unreadable Date: {value[:60]!r}")
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
