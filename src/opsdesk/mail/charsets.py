"""Text out of bytes whose charset is missing, mislabelled or unknown to Python.

Every function here returns text and never raises: what had to be guessed or
repaired is appended to the caller's `defects` list.
"""

import binascii
import codecs
import re

# Codecs to try, in order, for a declared label. Mailers label GB18030 text
# "gb2312" or "gbk", Big5 text with Hong Kong or Microsoft extensions "big5",
# and ISO-2022-JP text with half-width kana or JIS X 0213 "iso-2022-jp".
_GB = ("gb18030",)
_FAMILIES = {
    "gb2312": _GB, "gbk": _GB, "x-gbk": _GB, "cp936": _GB, "ms936": _GB, "windows-936": _GB,
    "euc-cn": _GB, "x-euc-cn": _GB, "gb_2312-80": _GB, "csgb2312": _GB, "chinese": _GB,
    "gb18030": _GB, "hz-gb-2312": ("hz",),
    "big5": ("big5", "cp950", "big5hkscs"), "x-big5": ("big5", "cp950", "big5hkscs"),
    "cn-big5": ("big5", "cp950", "big5hkscs"), "big5-hkscs": ("big5hkscs", "cp950"),
    "cp950": ("cp950", "big5hkscs"),
    "iso-2022-jp": ("iso2022_jp", "iso2022_jp_ext", "iso2022_jp_2", "iso2022_jp_2004"),
    "shift_jis": ("cp932", "shift_jis_2004"), "shift-jis": ("cp932", "shift_jis_2004"),
    "x-sjis": ("cp932", "shift_jis_2004"), "sjis": ("cp932", "shift_jis_2004"),
    "euc-jp": ("euc_jp", "euc_jis_2004"),
    "ks_c_5601-1987": ("cp949",), "euc-kr": ("cp949",), "ks_c_5601": ("cp949",),
    # Windows sends cp1252 labelled latin-1; its five undefined bytes fall back to latin-1.
    "iso-8859-1": ("cp1252", "latin-1"), "latin1": ("cp1252", "latin-1"),
    "us-ascii": ("ascii",), "ascii": ("ascii",), "unicode-1-1-utf-8": ("utf-8",),
    "utf8": ("utf-8",), "x-unknown": (), "unknown-8bit": (), "x-user-defined": (),
}
# What a message without any declaration most likely is, in a Chinese shop.
_GUESSES = ("utf-8", "gb18030", "latin-1")
_SINGLE_BYTE_LABELS = {"ascii", "cp1252", "latin-1"}


def codecs_for(label: str | None) -> tuple[str, ...]:
    """The codecs to try for a declared charset label; () when it is unknown."""
    if not label:
        return ()
    label = label.strip().strip("\"'").lower()
    label = label.split("*", 1)[0]  # RFC 2231 language suffix: utf-8*en
    if label in _FAMILIES:
        return _FAMILIES[label]
    try:
        return (codecs.lookup(label).name,)
    except LookupError:
        return ()


def decode_text(data: bytes, label: str | None, defects: list[str], *, hint: str = "") -> str:
    """Decode `data` declared as `label`; guess (hint first) when it is absent or wrong."""
    candidates = codecs_for(label)
    if label and not candidates and label.lower() not in _FAMILIES:
        defects.append(f"unknown charset {label!r}")
    if not data.isascii() and candidates and candidates[0] in _SINGLE_BYTE_LABELS:
        # A single-byte label never fails, so a UTF-8 body labelled latin-1 would turn to mojibake.
        text = _strict(data, ("utf-8",))
        if text is not None:
            defects.append(f"text labelled {label} is UTF-8")
            return text
    text = _strict(data, candidates)
    if text is not None:
        return _undo_latin1_mojibake(text, candidates or codecs_for(hint), defects)
    if candidates == ("utf-8",) and _mostly_utf8(data):
        defects.append("invalid UTF-8 bytes replaced")
        return data.decode("utf-8", "replace")
    guesses = tuple(dict.fromkeys((*codecs_for(hint), *_GUESSES)))
    for name in guesses:
        text = _strict(data, (name,))
        if text is not None:
            break
    if candidates:
        defects.append(f"text labelled {label} decoded as {name}")
    elif not data.isascii():
        defects.append(f"no charset declared; decoded as {name}")
    if name == "utf-8":
        return _undo_latin1_mojibake(text, candidates or codecs_for(hint), defects)
    return text


_LATIN1_ONLY = re.compile(r"^[\x00-\xff]*$")
_MULTI_BYTE = {"gb18030", "big5", "cp950", "big5hkscs", "cp932", "euc_jp", "cp949", "hz"}


def _undo_latin1_mojibake(text: str, expected: tuple[str, ...], defects: list[str]) -> str:
    """CJK bytes once misread as latin-1 and stored again as UTF-8 ("¤j®a" for "大家")."""
    names = [name for name in expected if name in _MULTI_BYTE]
    if not names or text.isascii() or not _LATIN1_ONLY.match(text):
        return text
    repaired = _strict(text.encode("latin-1"), tuple(names))
    if repaired is None:
        return text
    defects.append(f"{names[0]} text that had been stored as latin-1 restored")
    return repaired


def _strict(data: bytes, names: tuple[str, ...]) -> str | None:
    for name in names:
        try:
            return data.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
    return None


def _mostly_utf8(data: bytes) -> bool:
    """A stray bad byte in otherwise valid UTF-8 (a truncated line) is not a wrong label."""
    text = data.decode("utf-8", "replace")
    non_ascii = sum(1 for ch in text if ord(ch) > 127)
    return text.count("\ufffd") * 10 <= non_ascii


# An encoded word (RFC 2047), and one cut off at the end of the header (missing "?=").
_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
_TRUNCATED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)$")
_FOLD = re.compile(r"\r?\n(?=[ \t])")


def decode_header(raw: str, defects: list[str], *, hint: str = "", name: str = "header") -> str:
    """Unfold and decode a header value as found in the message.

    `raw` may hold undecoded 8-bit bytes as surrogate escapes (how the stdlib
    parser keeps them); adjacent encoded words in one charset are joined as
    bytes before decoding, so a character split between two words survives.
    """
    value = decode_8bit(raw, defects, hint=hint, name=name)
    if "=?" not in value:
        return value.strip()
    return _decode_words(value, defects, hint, name).strip()


def decode_8bit(raw: str, defects: list[str], *, hint: str = "", name: str = "header") -> str:
    """Unfold a header and decode raw 8-bit bytes in it; leave encoded words as they are."""
    value = _FOLD.sub("", raw)
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:  # the stdlib parser keeps undecodable bytes as surrogates
        data = value.encode("utf-8", "surrogateescape")
    defects.append(f"{name}: unencoded 8-bit text")
    return decode_text(data, None, defects, hint=hint)


def _decode_words(value: str, defects: list[str], hint: str, name: str) -> str:
    pieces: list[str] = []
    pending: list[bytes] = []
    pending_label = ""
    position = 0

    def flush():
        nonlocal pending_label
        if pending:
            pieces.append(decode_text(b"".join(pending), pending_label, defects, hint=hint))
            pending.clear()
        pending_label = ""

    matches = list(_ENCODED_WORD.finditer(value))
    for match in matches:
        between = value[position:match.start()]
        if between.strip() or not pending:
            flush()
            pieces.append(between)
        label = match.group(1)
        if pending and label.lower() != pending_label.lower():
            flush()
        pending_label = label
        pending.append(_word_bytes(match.group(2), match.group(3), defects, name))
        position = match.end()
    tail = value[position:]
    truncated = _TRUNCATED_WORD.search(tail)
    if truncated:
        defects.append(f"{name}: encoded word without closing ?=")
        if tail[:truncated.start()].strip() or not pending:
            flush()
            pieces.append(tail[:truncated.start()])
        elif truncated.group(1).lower() != pending_label.lower():
            flush()
        pending_label = truncated.group(1)
        pending.append(_word_bytes(truncated.group(2), truncated.group(3), defects, name))
        tail = ""
    flush()
    pieces.append(tail)
    return "".join(pieces)


def _word_bytes(encoding: str, payload: str, defects: list[str], name: str) -> bytes:
    if encoding in "qQ":
        return binascii.a2b_qp(payload.encode("ascii", "replace"), header=True)
    cleaned = re.sub(r"[^A-Za-z0-9+/]", "", payload)
    if len(cleaned) % 4 == 1:  # one stray character can never be base64: drop it
        cleaned = cleaned[:-1]
        defects.append(f"{name}: damaged base64 in encoded word")
    try:
        return binascii.a2b_base64(cleaned + "=" * (-len(cleaned) % 4))
    except binascii.Error:
        defects.append(f"{name}: undecodable encoded word")
        return payload.encode("ascii", "replace")
