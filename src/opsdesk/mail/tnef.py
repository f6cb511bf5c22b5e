"""Outlook's TNEF wrapper (winmail.dat): the files and the body inside it."""

import binascii
import logging
from dataclasses import dataclass

from tnefparse import TNEF

from opsdesk.mail.message import MailAttachment

_SIGNATURE = b"\x78\x9f\x3e\x22"


@dataclass(frozen=True)
class Unwrapped:
    text: str = ""
    html: str = ""
    attachments: tuple[MailAttachment, ...] = ()


def is_tnef(content_type: str, filename: str) -> bool:
    return content_type in ("application/ms-tnef", "application/vnd.ms-tnef") or (
        filename.lower() == "winmail.dat"
    )


def unwrap(data: bytes, defects: list[str]) -> Unwrapped | None:
    """The contents of a TNEF blob; None (and a defect) when it cannot be read."""
    if not data.startswith(_SIGNATURE):
        decoded = binascii.a2b_base64(data, strict_mode=False) if data else b""
        if not decoded.startswith(_SIGNATURE):
            defects.append("winmail.dat unreadable: not TNEF")
            return None
        defects.append("winmail.dat in base64 without Content-Transfer-Encoding")
        data = decoded
    # tnefparse logs every unknown MAPI property as a warning: noise for a mail server's log.
    logging.getLogger("tnefparse").setLevel(logging.ERROR)
    try:
        tnef = TNEF(data)
    except Exception as error:  # tnefparse raises bare ValueError/struct.error/IndexError
        defects.append(f"winmail.dat unreadable: {type(error).__name__}")
        return None
    attachments = [
        MailAttachment(
            filename=attachment.long_filename() or "attachment",
            content_type="application/octet-stream",
            payload=attachment.data or b"",
        )
        for attachment in tnef.attachments
    ]
    rtf = getattr(tnef, "rtfbody", None)
    if rtf and not (tnef.body or tnef.htmlbody):
        # No RTF-to-text converter here: keep Outlook's rich-text body as a file.
        attachments.append(MailAttachment("message.rtf", "application/rtf", _as_bytes(rtf)))
    return Unwrapped(
        text=_as_text(tnef.body),
        html=_as_text(tnef.htmlbody),
        attachments=tuple(attachments),
    )


def _as_bytes(value) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode("utf-8")


def _as_text(value) -> str:
    if not value:
        return ""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace").rstrip("\x00")
    return str(value).rstrip("\x00")
