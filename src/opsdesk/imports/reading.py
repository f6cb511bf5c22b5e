"""Reading a CSV export: decoding (UTF-8 with or without a BOM, GBK, GB18030 …),
rows with the line they start on, and what was wrong with them, collected
rather than raised so that one run reports every problem of a file."""

import csv
import functools
import io
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from opsdesk.core.errors import OpsDeskError

SHOWN_LINES = 10
TRUE_WORDS = frozenset({"true", "1", "yes", "y", "t", "是", "真"})
FALSE_WORDS = frozenset({"false", "0", "no", "n", "f", "否", "假"})


class UnreadableFile(OpsDeskError):
    code = "unreadable_file"
    status = 422


@dataclass
class Row:
    line: int
    raw: list[str]
    header: list[str]

    @property
    def complete(self) -> bool:
        return len(self.raw) == len(self.header)

    @functools.cached_property
    def cells(self) -> dict[str, str] | None:
        """The cells by column; None when the row has more or fewer cells
        than the header."""
        return dict(zip(self.header, self.raw, strict=True)) if self.complete else None


def decode(content: bytes, encoding: str) -> str:
    """The text of the file; a UTF-8 byte-order mark is dropped whatever the
    declared encoding, so Excel's "CSV UTF-8" reads as is."""
    if content.startswith(b"\xef\xbb\xbf"):
        content, encoding = content[3:], "utf-8"
    try:
        return content.decode(encoding)
    except LookupError:
        raise UnreadableFile(_("Unknown encoding “%(encoding)s”.")
                             % {"encoding": encoding}) from None
    except UnicodeDecodeError as error:
        line = content.count(b"\n", 0, error.start) + 1
        raise UnreadableFile(_("Line %(line)s is not valid %(encoding)s text; give the file’s "
                               "encoding in the mapping (encoding = \"gbk\").")
                             % {"line": line, "encoding": encoding}) from None


def rows(text: str, delimiter: str, required: set[str]) -> tuple[list[str], Iterator[Row]]:
    """The header and the rows after it. A row with more or fewer cells than
    the header is yielded all the same (not `complete`, `cells` None) so the
    caller can report it."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        raise UnreadableFile(_("The file is empty.")) from None
    except csv.Error as error:
        raise UnreadableFile(_("Line 1 is not valid CSV: %(error)s") % {"error": error}) from None
    missing = sorted(required - set(header))
    if missing:
        raise UnreadableFile(_("Columns missing from the header: %(columns)s.")
                             % {"columns": ", ".join(missing)})
    return header, _records(reader, header)


def _records(reader, header: list[str]) -> Iterator[Row]:
    line = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise UnreadableFile(_("Line %(line)s is not valid CSV: %(error)s")
                                 % {"line": line, "error": error}) from None
        if cells:
            yield Row(line, cells, header)
        line = reader.line_num + 1


def parse_time(text: str, formats: list[str], zone: ZoneInfo) -> datetime | None:
    """An aware datetime, or None when no format fits. Times without a zone
    are in `zone`; ISO 8601 is always understood."""
    for fmt in formats:
        numeric = _numeric_format(fmt)
        try:
            value = _numeric_time(numeric, text) if numeric else datetime.strptime(text, fmt)
        except ValueError:
            continue
        return value if value.tzinfo else value.replace(tzinfo=zone)
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=zone)


# What strptime accepts for each numeric directive (its own patterns), so
# that a format of these alone, with a year, reads without strptime's
# per-call overhead and with the same result: an import reads tens of
# thousands of times.
_NUMERIC = {"d": r"3[0-1]|[1-2]\d|0[1-9]|[1-9]| [1-9]", "m": r"1[0-2]|0[1-9]|[1-9]",
            "Y": r"\d\d\d\d", "H": r"2[0-3]|[0-1]\d|\d", "M": r"[0-5]\d|\d",
            "S": r"6[0-1]|[0-5]\d|\d"}
_DEFAULTS = {"m": 1, "d": 1, "H": 0, "M": 0, "S": 0}


@functools.cache
def _numeric_format(fmt: str) -> re.Pattern | None:
    """`fmt` as strptime's regular expression, if it is such a format."""
    directives = re.findall(r"%(.)", fmt)
    if (not re.fullmatch(r"(?:[^%]|%[dmYHMS])*", fmt) or "Y" not in directives
            or len(set(directives)) < len(directives)):
        return None
    pattern = []
    for literal, directive in re.findall(r"([^%]*)(?:%(.))?", fmt):
        pattern.append(r"\s+".join(re.escape(part) for part in re.split(r"\s+", literal)))
        if directive:
            pattern.append(f"(?P<{directive}>{_NUMERIC[directive]})")
    return re.compile("".join(pattern), re.IGNORECASE)


def _numeric_time(pattern: re.Pattern, text: str) -> datetime:
    found = pattern.match(text)
    if found is None or found.end() != len(text):
        raise ValueError(text)
    parts = {**_DEFAULTS, **{name: int(value) for name, value in found.groupdict().items()}}
    return datetime(parts["Y"], parts["m"], parts["d"], parts["H"], parts["M"], parts["S"])


def parse_bool(text: str) -> bool | None:
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def lines_text(lines: list[int]) -> str:
    shown = ", ".join(str(line) for line in lines[:SHOWN_LINES])
    return shown + (" …" if len(lines) > SHOWN_LINES else "")


@dataclass
class Findings:
    """Everything wrong with a file: errors stop the import; unknown values
    stop it too unless mapped or (where allowed) created; unmatched people
    are only told."""

    errors: list[tuple[int, str, str]] = field(default_factory=list)
    unknown: dict[tuple[str, str, str], list[int]] = field(
        default_factory=lambda: defaultdict(list))
    unmatched_people: set[tuple[str, str]] = field(default_factory=set)  # (column, name)
    absent_columns: list[str] = field(default_factory=list)

    def error(self, line: int, column: str, message: str) -> None:
        self.errors.append((line, column, str(message)))

    @property
    def blocking(self) -> bool:
        return bool(self.errors or self.unknown)

    def error_lines(self) -> list[str]:
        return [_("line %(line)s: %(column)s: %(message)s")
                % {"line": line, "column": column, "message": message}
                if column else _("line %(line)s: %(message)s")
                % {"line": line, "message": message}
                for line, column, message in sorted(self.errors, key=lambda e: e[0])]

    def unknown_lines(self) -> list[str]:
        return [ngettext("unknown %(field)s “%(value)s” in column %(column)s: line %(lines)s "
                         "(%(count)s row)",
                         "unknown %(field)s “%(value)s” in column %(column)s: lines %(lines)s "
                         "(%(count)s rows)", len(lines))
                % {"field": name, "value": value, "column": column,
                   "lines": lines_text(lines), "count": len(lines)}
                for (name, column, value), lines in sorted(self.unknown.items())]

    def notes(self) -> list[str]:
        """What the user should know though nothing stops the import."""
        absent = [_("columns not in the file, read as empty: %(columns)s")
                  % {"columns": ", ".join(self.absent_columns)}] if self.absent_columns else []
        return absent + self.people_lines()

    def people_lines(self) -> list[str]:
        """One line per column: names with no user here are kept as text."""
        by_column = defaultdict(list)
        for column, value in sorted(self.unmatched_people):
            by_column[column].append(value)
        return [ngettext("column %(column)s: %(count)s name has no user here and is kept as "
                         "text: %(names)s",
                         "column %(column)s: %(count)s names have no user here and are kept as "
                         "text: %(names)s", len(names))
                % {"column": column, "count": len(names),
                   "names": ", ".join(names[:SHOWN_LINES]) + (
                       " …" if len(names) > SHOWN_LINES else "")}
                for column, names in by_column.items()]
