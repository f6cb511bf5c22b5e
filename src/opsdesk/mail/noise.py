"""Messages no ticket may come from and no one may answer: bounces, auto-replies, bulk.

Answering any of these is how mail loops start (RFC 3834).
"""

import re
from dataclasses import dataclass
from email.message import Message

from opsdesk.mail.headers import ADDRESS, message_ids
from opsdesk.mail.message import Noise


@dataclass(frozen=True)
class Verdict:
    noise: Noise | None = None
    reason: str = ""
    bounced_message_ids: tuple[str, ...] = ()
    bounced_recipients: tuple[str, ...] = ()


_DAEMONS = {"mailer-daemon", "mailer_daemon", "mail-daemon", "maildaemon", "postmaster",
            "post_master"}
# "MAILER-DAEMON <>" has no address: the display name has to do.
_DAEMON_SENDER = re.compile(r"^\W*(" + "|".join(_DAEMONS) + r")\b", re.IGNORECASE)
_BOUNCE_SUBJECT = re.compile(
    r"undeliver|undelivered|returned mail|return(ed)? to sender|delivery (status )?notification|"
    r"delivery (has )?failed|delivery failure|failure notice|mail delivery failed|"
    r"mail system error|nondeliverable|non-delivery|could not be delivered|"
    r"message not delivered|delivery problem|rejected|退信|投递失败|未送达|无法送达|"
    r"邮件退回|系統退信|エラー通知|配信エラー|送信エラー",
    re.IGNORECASE,
)
_AUTO_REPLY_SUBJECT = re.compile(
    r"out of (the )?office|automatic reply|auto[- ]?reply|autoreply|auto[- ]?response|"
    r"vacation|abwesenheit|absence|自动回复|自動回覆|自动答复|不在办公室",
    re.IGNORECASE,
)
_FORWARDED_SUBJECT = re.compile(r"^\s*(fwd?|fw|转发|轉寄)\s*[:：]", re.IGNORECASE)
_FORWARD_START = re.compile(
    r"^\s*(begin forwarded message:|-+ ?(original|forwarded) message ?-+|-+ ?转发的邮件 ?-+|>)",
    re.IGNORECASE | re.MULTILINE)
_BULK_PRECEDENCE = {"bulk", "junk", "list"}
# Headers that only hint at automation; with a bounce or out-of-office subject they decide.
_AUTOMATION_HINTS = ("x-auto-response-suppress", "x-ms-exchange-inbox-rules-loop",
                     "x-apple-action")
_LIST_HEADERS = ("list-id", "list-unsubscribe", "list-subscribe", "list-post", "list-help",
                 "mailing-list")
# Amazon SES reports bounces as JSON through SNS, often as a JSON string inside JSON.
_SES_BOUNCE = re.compile(r'\\?"notificationType\\?"\s*:\s*\\?"(Bounce|Complaint|Delivery)')
_SES_RECIPIENT = re.compile(r'\\?"emailAddress\\?"\s*:\s*\\?"([^"\\]+)')


def classify(msg: Message, headers: dict[str, str], sender: str, subject: str,
             text: str) -> Verdict:
    """`headers` maps lower-cased names to decoded values; `text` is the readable body."""
    report = _report_type(msg)
    if report == "delivery-status":
        return _bounce(msg, headers, text, "multipart/report; report-type=delivery-status")
    if "x-failed-recipients" in headers:
        return _bounce(msg, headers, text, "X-Failed-Recipients")
    if sender.partition("@")[0] in _DAEMONS or _DAEMON_SENDER.match(headers.get("from", "")):
        return _bounce(msg, headers, text, f"From: {sender or headers.get('from', '').strip()}")
    ses = _SES_BOUNCE.search(text)
    if ses and ses.group(1) == "Bounce":
        recipients = tuple(dict.fromkeys(a.lower() for a in _SES_RECIPIENT.findall(text)))
        return Verdict(Noise.BOUNCE, "Amazon SES notification: Bounce",
                       bounced_recipients=recipients)
    if ses:
        return Verdict(Noise.AUTO_REPLY, f"Amazon SES notification: {ses.group(1)}")
    null_sender = headers.get("return-path", "").strip() == "<>"
    auto_submitted = headers.get("auto-submitted", "").strip().lower()
    automatic = bool(auto_submitted) and not auto_submitted.startswith("no")
    hinted = null_sender or automatic or any(name in headers for name in _AUTOMATION_HINTS)
    bounce_subject = _BOUNCE_SUBJECT.search(subject)
    if bounce_subject and (hinted or _has_returned_message(msg)):
        return _bounce(msg, headers, text, f"Subject: {subject}")
    if bounce_subject and _FORWARDED_SUBJECT.match(subject) and _only_forwarded(text):
        # Someone passed a bounce on without a word: a ticket would ask nobody anything,
        # and the failed addresses in it are not ours to mark.
        return Verdict(Noise.BOUNCE, f"forwarded without a word of its own: {subject}")
    if report:
        return Verdict(Noise.AUTO_REPLY, f"multipart/report; report-type={report}")
    if _is_hotmail_complaint(msg):
        return Verdict(Noise.AUTO_REPLY, "Hotmail junk-mail complaint (JMRP)")
    if automatic:
        return Verdict(Noise.AUTO_REPLY, f"Auto-Submitted: {auto_submitted}")
    for name in ("x-autoreply", "x-autorespond", "x-autoresponder"):
        if name in headers:
            return Verdict(Noise.AUTO_REPLY, f"{name}: {headers[name]}")
    precedence = headers.get("precedence", "").strip().lower()
    if precedence == "auto_reply":
        return Verdict(Noise.AUTO_REPLY, "Precedence: auto_reply")
    if hinted and _AUTO_REPLY_SUBJECT.search(subject):
        return Verdict(Noise.AUTO_REPLY, f"Subject: {subject}")
    if null_sender:  # RFC 5321: only delivery reports go out with an empty reverse-path
        return _bounce(msg, headers, text, "Return-Path: <>")
    if precedence in _BULK_PRECEDENCE:
        return Verdict(Noise.BULK, f"Precedence: {precedence}")
    for name in _LIST_HEADERS:
        if name in headers:
            return Verdict(Noise.BULK, f"{name}: {headers[name]}")
    return Verdict()


def _only_forwarded(text: str) -> bool:
    start = _FORWARD_START.search(text)
    return start is not None and not text[:start.start()].strip()


def _is_hotmail_complaint(msg: Message) -> bool:
    """Microsoft's complaint loop sends no report type; it marks the copy it returns."""
    for part in msg.walk():
        inner = part.get_payload() if part.get_content_type() == "message/rfc822" else None
        if isinstance(inner, list) and inner and "x-hmxmroriginalrecipient" in inner[0]:
            return True
    return False


def _has_returned_message(msg: Message) -> bool:
    return any(part.get_content_type() in ("message/rfc822", "text/rfc822-headers")
               for part in msg.walk())


def _report_type(msg: Message) -> str:
    if msg.get_content_type() == "multipart/report":
        return (msg.get_param("report-type") or "unknown").lower()
    for part in msg.walk():
        if part.get_content_type() in ("message/delivery-status", "message/global-delivery-status"):
            return "delivery-status"
    return ""


def _bounce(msg: Message, headers: dict[str, str], text: str, reason: str) -> Verdict:
    recipients = _dsn_recipients(msg) or _failed_recipients_header(headers) or (
        _recipients_in_text(text)
    )
    return Verdict(
        Noise.BOUNCE, reason,
        bounced_message_ids=_returned_message_ids(msg, text),
        bounced_recipients=tuple(dict.fromkeys(recipients)),
    )


def _dsn_recipients(msg: Message) -> list[str]:
    """Final-Recipient / Original-Recipient of each failed recipient (RFC 3464)."""
    found = []
    for part in msg.walk():
        if part.get_content_type() not in ("message/delivery-status",
                                           "message/global-delivery-status"):
            continue
        for fields in _field_blocks(_part_text(part)):
            action = fields.get("action", "failed").lower()
            address = _address_of(fields.get("original-recipient") or "") or _address_of(
                fields.get("final-recipient") or "")
            if address and action.startswith("failed"):
                found.append(address)
    return found


def _part_text(part: Message) -> str:
    payload = part.get_payload()
    if isinstance(payload, list):  # the stdlib parses delivery-status into header blocks
        return "\n\n".join(block.as_string() for block in payload)
    data = part.get_payload(decode=True) or b""
    return data.decode("utf-8", "replace")


def _field_blocks(text: str) -> list[dict[str, str]]:
    blocks = []
    for chunk in re.split(r"\r?\n\s*\r?\n", text):
        fields: dict[str, str] = {}
        for name, value in re.findall(r"^([A-Za-z-]+)[ \t]*:[ \t]*(.*)$", chunk, re.M):
            fields.setdefault(name.lower(), value.strip())
        blocks.append(fields)
    return blocks


def _address_of(value: str) -> str:
    """ "rfc822; <Zhao@Example.com>" → "zhao@example.com"."""
    match = ADDRESS.search(value.rpartition(";")[2] or value)
    return match.group(0).lower().rstrip(".") if match else ""


def _failed_recipients_header(headers: dict[str, str]) -> list[str]:
    return [address.lower() for address in ADDRESS.findall(headers.get("x-failed-recipients", ""))]


# Where a non-DSN bounce stops explaining and starts quoting the returned message.
_RETURNED_COPY = re.compile(
    r"^\s*(-+ ?(this is a copy|below this line|original message|the header|returned message|"
    r"undelivered message)|original message follows|(received|return-path|message-id)\s*:)",
    re.IGNORECASE,
)
_COPIED_HEADER = re.compile(r"^\s*(from|to|cc|subject|date|sent|content-type)\s*:", re.I)
# "<zhao@example.com>:" (qmail, Postfix), "  zhao@example.com" (Exim, Domino),
# "Unknown user: zhao@example.com" (IMail), "zhao@example.com [User unknown]".
_RECIPIENT_LINE = re.compile(r"^\s*(?:[^:<>@]{1,40}:\s*)?<?([^\s<>@]+@[^\s<>:]+)>?\s*(\W|on\b|$)")
_FAILURE_WORDS = re.compile(
    r"error|fail|unknown|not |undeliver|reject|invalid|could|unable|denied|exceed|full|"
    r"错误|失败|不存在|拒绝", re.IGNORECASE)
_DSN_FIELD = re.compile(
    r"^\s*(?:original|final)-recipient\s*:\s*[\w-]+\s*;\s*<?([^\s<>]+@[^\s<>]+)",
    re.IGNORECASE | re.MULTILINE,
)


def _recipients_in_text(text: str) -> list[str]:
    """Failed addresses in a bounce written for people rather than as an RFC 3464 report."""
    in_fields = [_address_of(value) for value in _DSN_FIELD.findall(text)]
    if any(in_fields):
        return [address for address in in_fields if address]
    found = []
    for line in text.splitlines():
        if _RETURNED_COPY.match(line):
            break
        if _COPIED_HEADER.match(line):
            continue  # "To: …" of the returned message: who it was for, not who failed
        match = _RECIPIENT_LINE.match(line)
        addresses = [match.group(1)] if match else []
        if not addresses and _FAILURE_WORDS.search(line):
            addresses = re.findall(r"<([^\s<>@]+@[^\s<>]+)>", line)
        for candidate in addresses:
            address = _address_of(candidate)
            if address and address.partition("@")[0] not in _DAEMONS:
                found.append(address)
    return found


def _returned_message_ids(msg: Message, text: str) -> tuple[str, ...]:
    """The Message-ID of the message that bounced, from the copy or headers sent back."""
    ids = []
    for part in msg.walk():
        content_type = part.get_content_type()
        if content_type in ("message/rfc822", "message/global"):
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else None
            if isinstance(inner, Message) and inner.get("message-id"):
                ids.append(str(inner.get("message-id")))
        elif content_type in ("text/rfc822-headers", "message/global-headers"):
            ids.extend(re.findall(r"^message-id\s*:\s*(\S+)", _part_text(part), re.M | re.I))
    if not ids:
        ids = re.findall(r"^\s*message-id\s*:\s*(<[^>\s]+>)", text, re.M | re.I)
    return tuple(dict.fromkeys(found for value in ids for found in message_ids(value)))
