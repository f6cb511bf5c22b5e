"""The new part of a reply: earlier messages quoted below it, and signatures, trimmed.

Mail clients mark the start of the quoted message in different ways: "> "
prefixes, an attribution line ("On … wrote:", "在 … 写道："), a divider
("-----Original Message-----", QQ Mail's "------ 原始邮件 ------") or an
Outlook header block ("From: … Sent: …", "发件人: … 发送时间: …").
Answers written between quoted lines are kept.
"""

import re

_WROTE = re.compile(
    r"\b(wrote|writes|schrieb|a écrit|escribió|ha scritto|schreef|geschreven|skrev|pisze|"
    r"napisał\(a\)|napisał|пишет|пише|написал\(а\)|написал|escreveu|kirjoitti|写道|寫道)"
    r"(.{0,80}[:：]|\s*-{2,})\s*$",
    re.IGNORECASE,
)
# Gmail in some locales: "2026-11-20 10:01 GMT+08:00 Zhao Lei <zhao@example.com>:".
_DATED_ATTRIBUTION = re.compile(r"^\W*\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b.{0,200}[@<].*[:：]\s*$")
# How an attribution that wraps over lines can begin.
_ATTRIBUTION_OPENER = re.compile(r"^\W*(on|在|am|le|el|il|op|w dniu|den|em|dne|\d)|.*[<@]", re.I)
_DIVIDER = re.compile(
    r"^\W*-{2,}\s*(original message|ursprüngliche nachricht|message d'origine|mensaje original|"
    r"messaggio originale|oorspronkelijk bericht|原始邮件|原始郵件|replied message|"
    r"reply message)\s*-{2,}\W*$",
    re.IGNORECASE,
)
_RULE = re.compile(r"^\s*(_{5,}|-{5,})\s*$")
_HEADER_FROM = re.compile(r"^\W*(from|发件人|寄件者|von|de|da|van|från|fra|od|от)\W*[:：]", re.I)
_HEADER_WHEN = re.compile(
    r"^\W*(sent|date|发送时间|日期|时间|寄件日期|gesendet|datum|data|envoyé|enviado|inviato|"
    r"verzonden|skickat|sendt|wysłano|отправлено)\W*[:：]",
    re.IGNORECASE,
)
_MOBILE_SIGNATURE = re.compile(
    r"^\W*(sent (from|with|via) |get outlook for|发自我的|从我的 ?\S+ ?发送|從我的 ?\S+ ?傳送|"
    r"来自我的|envoyé de(puis)? mon|von meinem|verzonden (met|vanaf)|verstuurd vanaf|"
    r"enviado desde|enviado do meu|sendt fra min|skickat från min).{0,80}$",
    re.IGNORECASE,
)
_SIGNATURE_DELIMITERS = ("-- ", "--")
_ATTRIBUTION_MAX = 300  # characters; an attribution is one sentence, not a paragraph
_HEADER_BLOCK_SPAN = 6  # lines between "From:" and "Sent:" (To, Cc, Reply-To may sit between)


def reply_text(text: str) -> str:
    """Trim the quoted history and signature from `text`; all of it when nothing new is left."""
    lines = _without_leading_history(text.replace("\r\n", "\n").split("\n"))
    lines = _before_history(lines)
    lines = _without_signature(lines)
    lines = _without_trailing_quote(lines)
    trimmed = "\n".join(lines).strip("\n")
    return trimmed if trimmed.strip() else text.strip("\n")


def _without_leading_history(lines: list[str]) -> list[str]:
    """Bottom-posting: an attribution and its quote at the top, the answer below."""
    top = 0
    while top < len(lines) and not lines[top].strip():
        top += 1
    span = _history_span(lines, top) if top < len(lines) else 0
    below = _after_quote(lines, top + span)
    quoted = any(line.startswith(">") for line in lines[top + span:below])
    return lines[below:] if span and quoted else lines


def _before_history(lines: list[str]) -> list[str]:
    kept: list[str] = []
    index = 0
    while index < len(lines):
        span = _history_span(lines, index)
        if not span:
            kept.append(lines[index])
            index += 1
            continue
        after = _after_quote(lines, index + span)
        quoted = any(line.startswith(">") for line in lines[index + span:after])
        if quoted and after < len(lines) and not _HEADER_FROM.match(lines[index]):
            # Answers written between the quoted lines: only the attribution goes.
            index += span
            continue
        return kept[:_rule_above(kept)]
    return kept


def _after_quote(lines: list[str], index: int) -> int:
    while index < len(lines) and (lines[index].startswith(">") or not lines[index].strip()):
        index += 1
    return index


def _history_span(lines: list[str], index: int) -> int:
    """How many lines the marker of an earlier message starting at `index` takes, or 0."""
    line = lines[index]
    if line.startswith(">"):
        return 0  # quoted lines are handled as blocks, to keep interleaved answers
    if _DIVIDER.match(line):
        return 1
    if _HEADER_FROM.match(line):
        following = lines[index + 1:index + 1 + _HEADER_BLOCK_SPAN]
        return int(any(_HEADER_WHEN.match(other) for other in following))
    # Attributions wrap: "On Mon, 1 Jan 2026, Zhao <zhao@example.com>\nwrote:".
    for span in (1, 2, 3) if _ATTRIBUTION_OPENER.match(line) else (1,):
        joined = " ".join(part.strip() for part in lines[index:index + span])
        if len(joined) > _ATTRIBUTION_MAX:
            break
        if _DATED_ATTRIBUTION.match(joined) or (
            _WROTE.search(joined) and re.search(r"[\d@]", joined)
        ):
            return span
    return 0


def _rule_above(lines: list[str]) -> int:
    """Outlook puts a ruler line above its header block: cut there too."""
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    return end - 1 if end and _RULE.match(lines[end - 1]) else len(lines)


def _without_signature(lines: list[str]) -> list[str]:
    for index, line in enumerate(lines):
        if line in _SIGNATURE_DELIMITERS:
            lines = lines[:index]
            break
    while lines and (not lines[-1].strip() or _MOBILE_SIGNATURE.match(lines[-1])):
        lines = lines[:-1]
    return lines


def _without_trailing_quote(lines: list[str]) -> list[str]:
    end = len(lines)
    while end and (lines[end - 1].startswith(">") or not lines[end - 1].strip()):
        end -= 1
    return lines[:end]
