"""What the parser makes of one raw message, for intake to act on.

Parsing (mail/parsing.py) is pure: bytes in, a ParsedMail out, never an
exception for malformed input. Intake (mail/ingest.py) decides what the
message means for tickets.
"""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Noise(StrEnum):
    """Why a message must neither open a ticket nor be answered."""

    AUTO_REPLY = "auto_reply"  # Auto-Submitted, X-Autoreply, out-of-office
    BULK = "bulk"  # Precedence bulk/junk/list, mailing lists
    BOUNCE = "bounce"  # delivery-status report or mailer-daemon/postmaster sender


@dataclass(frozen=True)
class MailAttachment:
    filename: str
    content_type: str
    payload: bytes
    inline: bool = False
    content_id: str = ""


@dataclass(frozen=True)
class ParsedMail:
    # Message-IDs keep their angle brackets, e.g. "<abc@example.com>"; empty when absent.
    message_id: str
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    subject: str
    sender_name: str
    sender_address: str  # lower-cased
    to: tuple[str, ...]
    cc: tuple[str, ...]
    date: datetime | None
    text: str  # the whole body as plain text (HTML-only mail converted)
    reply_text: str  # text with quoted earlier messages and signatures' quotes trimmed
    html: str  # sanitised HTML, "" when the mail had none
    attachments: tuple[MailAttachment, ...] = ()
    noise: Noise | None = None
    noise_reason: str = ""  # e.g. "Auto-Submitted: auto-replied"
    # For bounces: the Message-IDs of the messages that failed and the addresses that failed.
    bounced_message_ids: tuple[str, ...] = ()
    bounced_recipients: tuple[str, ...] = ()
    defects: tuple[str, ...] = field(default=())  # what was repaired or skipped while parsing
