"""One raw RFC 5322 message in, a ParsedMail out: pure, and never an exception."""

import mimetypes
import re
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from email.policy import compat32

from opsdesk.mail import headers as header_values
from opsdesk.mail import noise, tnef
from opsdesk.mail.charsets import decode_header, decode_text
from opsdesk.mail.html import html_to_text, sanitise
from opsdesk.mail.message import MailAttachment, ParsedMail
from opsdesk.mail.quotes import reply_text

# Headers read for the ParsedMail or for noise classification; the rest stay in the raw message.
_WANTED = {
    "subject", "from", "sender", "return-path", "to", "cc", "date", "message-id",
    "in-reply-to", "references", "auto-submitted", "precedence", "x-autoreply",
    "x-autorespond", "x-autoresponder", "list-id", "list-unsubscribe", "x-failed-recipients",
    "x-auto-response-suppress", "x-ms-exchange-inbox-rules-loop", "x-apple-action",
    "list-subscribe", "list-post", "list-help", "mailing-list",
}
# Address lists are split before their encoded words are decoded (a name may hold a comma).
_DECODED_LATER = {"from", "sender", "to", "cc", "subject"}
_REPORT_PARTS = {"message/delivery-status", "message/global-delivery-status",
                 "text/rfc822-headers", "message/global-headers",
                 "message/disposition-notification"}
_NESTED = {"message/rfc822", "message/global"}
_META_CHARSET = re.compile(rb"<meta[^>]+charset=[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)


@dataclass
class _Body:
    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    attachments: list[MailAttachment] = field(default_factory=list)


def parse_message(raw: bytes) -> ParsedMail:
    try:
        return _parse(raw)
    except Exception as error:  # a mail that breaks the parser must still reach a person
        defects: list[str] = [f"parser failed: {type(error).__name__}: {error}"]
        text = decode_text(raw, None, defects)
        return ParsedMail(
            message_id="", in_reply_to=(), references=(), subject="", sender_name="",
            sender_address="", to=(), cc=(), date=None, text=text, reply_text=text, html="",
            defects=tuple(defects),
        )


def _parse(raw: bytes) -> ParsedMail:
    defects: list[str] = []
    if b"\r" in raw and b"\n" not in raw:
        raw = raw.replace(b"\r", b"\n")  # classic Mac OS line ends: one endless line otherwise
        defects.append("bare CR line ends")
    msg = message_from_bytes(raw, policy=compat32)
    hint = _first_body_charset(msg)
    fields = _header_fields(msg, hint, defects)
    body = _Body()
    _collect(msg, body, defects, hint, top=True)
    html = sanitise("\n".join(body.html)) if body.html else ""
    text = "\n\n".join(part for part in body.plain if part.strip())
    if not text.strip() and body.html:
        text = html_to_text(html)
    senders = (header_values.addresses(fields.get("from", ""), defects, hint=hint, name="from")
               or header_values.addresses(fields.get("sender", ""), defects, hint=hint,
                                          name="sender"))
    sender_name, sender_address = senders[0] if senders else ("", "")
    subject = decode_header(fields.get("subject", ""), defects, hint=hint, name="subject")
    verdict = noise.classify(msg, fields, sender_address, subject, text)
    defects.extend(_parser_defects(msg))
    return ParsedMail(
        message_id=(header_values.message_ids(fields.get("message-id", "")) or ("",))[0],
        in_reply_to=header_values.message_ids(fields.get("in-reply-to", "")),
        references=header_values.message_ids(fields.get("references", "")),
        subject=subject,
        sender_name=sender_name,
        sender_address=sender_address,
        to=_address_list(fields, "to", defects, hint),
        cc=_address_list(fields, "cc", defects, hint),
        date=header_values.date(fields.get("date", ""), defects),
        text=text,
        reply_text=reply_text(text),
        html=html,
        attachments=tuple(body.attachments),
        noise=verdict.noise,
        noise_reason=verdict.reason,
        bounced_message_ids=verdict.bounced_message_ids,
        bounced_recipients=verdict.bounced_recipients,
        defects=tuple(dict.fromkeys(defects)),
    )


def _first_body_charset(msg: Message) -> str:
    """Mailers that put raw 8-bit bytes in headers use the body's charset for them."""
    for part in msg.walk():
        charset = part.get_param("charset")
        if isinstance(charset, str) and charset.isascii():
            return charset
    return ""


def _header_fields(msg: Message, hint: str, defects: list[str]) -> dict[str, str]:
    """The first value of each wanted header, 8-bit bytes decoded, encoded words kept."""
    fields: dict[str, str] = {}
    for name, value in msg.raw_items():
        key = name.strip().lower()
        if key in _WANTED and key not in fields:
            fields[key] = value if isinstance(value, str) else str(value)
    for key, value in fields.items():
        if key not in _DECODED_LATER:
            fields[key] = decode_header(value, defects, hint=hint, name=key)
    return fields


def _address_list(fields: dict[str, str], name: str, defects: list[str],
                  hint: str) -> tuple[str, ...]:
    pairs = header_values.addresses(fields.get(name, ""), defects, hint=hint, name=name)
    return tuple(dict.fromkeys(address for _, address in pairs))


def _collect(part: Message, body: _Body, defects: list[str], hint: str, *, top: bool) -> None:
    """Body text from `part` (when `top`) and every attachment below it."""
    content_type = part.get_content_type()
    if content_type in _NESTED:  # the stdlib counts these as multipart: check first
        _collect_nested(part, body, defects, hint)
        return
    if part.is_multipart():
        for child in part.get_payload():
            if isinstance(child, Message):
                _collect(child, body, defects, hint, top=top)
        return
    if content_type.startswith("multipart/"):
        defects.append(f"{content_type} without readable parts; read as text")
        content_type = "text/plain"
    if content_type in _REPORT_PARTS:
        return  # read by noise classification; kept in the stored raw message
    filename = _filename(part, defects, hint)
    payload = _payload(part, defects)
    if tnef.is_tnef(content_type, filename):
        unwrapped = tnef.unwrap(payload, defects)
        if unwrapped is not None:
            _add_unwrapped(unwrapped, body, top=top)
            return
    disposition = part.get_content_disposition()
    if content_type in ("text/plain", "text/html") and not (
        disposition == "attachment" or filename
    ):
        if not top:
            return  # a nested message's own text: it is in its .eml attachment
        text = _part_text(part, payload, defects, hint)
        (body.plain if content_type == "text/plain" else body.html).append(text)
        return
    body.attachments.append(_attachment(part, content_type, filename, payload, disposition,
                                        len(body.attachments)))


def _collect_nested(part: Message, body: _Body, defects: list[str], hint: str) -> None:
    """A forwarded or returned message: listed as an .eml file, its files listed too."""
    inner = part.get_payload()
    inner = inner[0] if isinstance(inner, list) and inner else None
    if not isinstance(inner, Message):
        return
    try:
        data = inner.as_bytes(policy=compat32)
    except Exception:  # regenerating a damaged message can fail anywhere in the generator
        data = inner.as_string().encode("utf-8", "surrogateescape")
    subject = decode_header(str(inner.get("subject") or ""), defects, hint=hint,
                            name="attached subject")
    filename = _filename(part, defects, hint) or f"{_safe_name(subject) or 'message'}.eml"
    body.attachments.append(MailAttachment(filename, part.get_content_type(), data))
    _collect(inner, body, defects, hint, top=False)


def _add_unwrapped(unwrapped: tnef.Unwrapped, body: _Body, *, top: bool) -> None:
    # Outlook repeats the MIME body inside winmail.dat: use it only when the mail had none.
    if top and unwrapped.text.strip() and not body.plain:
        body.plain.append(unwrapped.text.replace("\r\n", "\n"))
    if top and unwrapped.html.strip() and not body.html:
        body.html.append(unwrapped.html)
    body.attachments.extend(unwrapped.attachments)


def _payload(part: Message, defects: list[str]) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception as error:  # a broken transfer encoding; keep what is there
        defects.append(f"undecodable {part.get_content_type()} part: {type(error).__name__}")
        data = None
    if data is None:
        raw = part.get_payload()
        data = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""
    return data


def _part_text(part: Message, payload: bytes, defects: list[str], hint: str) -> str:
    charset = part.get_param("charset")
    if not isinstance(charset, str) or not charset.isascii():
        charset = None
    if charset is None and part.get_content_type() == "text/html":
        meta = _META_CHARSET.search(payload[:4096])
        charset = meta.group(1).decode("ascii") if meta else None
    text = decode_text(payload, charset, defects, hint=hint)
    return text.replace("\r\n", "\n").replace("\x00", "")


def _filename(part: Message, defects: list[str], hint: str) -> str:
    """The attachment's name: RFC 2231 (charset, continuations), encoded words or raw 8-bit."""
    for name, header in (("filename", "content-disposition"), ("name", "content-type")):
        value = part.get_param(name, header=header)
        if isinstance(value, tuple):  # RFC 2231: (charset, language, text as latin-1 code points)
            charset, _, text = value
            data = text.encode("latin-1", "surrogateescape") if text else b""
            return decode_text(data, charset or None, defects, hint=hint).strip()
        if value:
            return decode_header(value.strip('"'), defects, hint=hint, name=name).strip()
    return ""


def _attachment(part: Message, content_type: str, filename: str, payload: bytes,
                disposition: str | None, position: int) -> MailAttachment:
    content_id = str(part.get("content-id") or "").strip().strip("<>")
    inline = disposition == "inline" or (
        disposition is None and bool(content_id) and content_type.startswith("image/")
    )
    if not filename:
        filename = f"part-{position + 1}{mimetypes.guess_extension(content_type) or '.bin'}"
    return MailAttachment(
        filename=_safe_name(filename) or "attachment", content_type=content_type,
        payload=payload, inline=inline, content_id=content_id,
    )


def _safe_name(name: str) -> str:
    """A file name without directories or control characters."""
    name = re.split(r"[\\/]", name)[-1]
    return re.sub(r"[\x00-\x1f\x7f]", "", name).strip()[:200]


def _parser_defects(msg: Message) -> list[str]:
    return [type(defect).__name__ for part in msg.walk() for defect in part.defects]
