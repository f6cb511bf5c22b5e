"""HTML mail bodies: sanitised for display, and converted to plain text."""

import re
from html.parser import HTMLParser

import nh3

# Inline images are referenced as <img src="cid:…">; keep that link to the attachment.
_URL_SCHEMES = nh3.ALLOWED_URL_SCHEMES | {"cid"}
_DROPPED_WITH_CONTENT = {"script", "style", "head", "title", "template", "noscript"}


def sanitise(html: str) -> str:
    return nh3.clean(html, url_schemes=_URL_SCHEMES, clean_content_tags=_DROPPED_WITH_CONTENT)


def html_to_text(html: str) -> str:
    converter = _TextConverter()
    converter.feed(html)
    converter.close()
    return converter.text()


_PARAGRAPHS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "ul", "ol"}
_BLOCKS = _PARAGRAPHS | {
    "div", "section", "article", "header", "footer", "nav", "aside", "main", "form",
    "tr", "dl", "dt", "dd", "address", "figure", "figcaption", "center", "hr",
}
_CELLS = {"td", "th"}
_SPACES = re.compile(r"[ \t\r\n\f\u00a0]+")


class _TextConverter(HTMLParser):
    """Keeps paragraphs, line breaks, list items and link text; drops scripts and styles."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self._out: list[str] = []
        self._skipping = 0
        self._pre = 0
        self._lists: list[list] = []  # [tag, next number]
        self._link_href = ""
        self._link_text_start = 0

    def handle_starttag(self, tag, attrs):
        if tag in _DROPPED_WITH_CONTENT:
            self._skipping += 1
        elif tag == "br":
            self._out.append("\n")
        elif tag in _BLOCKS:
            self._break(2 if tag in _PARAGRAPHS and not self._lists else 1)
            self._pre += tag == "pre"
            if tag in ("ul", "ol"):
                self._lists.append([tag, 1])
        elif tag == "li":
            self._break(1)
            self._out.append("  " * max(len(self._lists) - 1, 0) + self._bullet())
        elif tag in _CELLS and not self._after_space():
            self._out.append(" ")
        elif tag == "a":
            self._link_href = dict(attrs).get("href") or ""
            self._link_text_start = len(self._out)
        elif tag == "img":
            alt = (dict(attrs).get("alt") or "").strip()
            if alt:
                self._out.append(f"[{alt}]")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in _DROPPED_WITH_CONTENT:
            self._skipping -= 1

    def handle_endtag(self, tag):
        if tag in _DROPPED_WITH_CONTENT:
            self._skipping = max(self._skipping - 1, 0)
        elif tag in _BLOCKS:
            self._pre -= tag == "pre" and self._pre > 0
            if tag in ("ul", "ol") and self._lists:
                self._lists.pop()
            self._break(2 if tag in _PARAGRAPHS and not self._lists else 1)
        elif tag == "a":
            self._end_link()

    def handle_data(self, data):
        if self._skipping:
            return
        if self._pre:
            self._out.append(data)
            return
        text = _SPACES.sub(" ", data)
        if self._after_space():
            text = text.lstrip(" ")
        self._out.append(text)

    def _after_space(self) -> bool:
        for piece in reversed(self._out):
            if piece:
                return piece[-1].isspace()
        return True

    def _bullet(self) -> str:
        if not self._lists or self._lists[-1][0] == "ul":
            return "- "
        number = self._lists[-1][1]
        self._lists[-1][1] += 1
        return f"{number}. "

    def _end_link(self):
        href, self._link_href = self._link_href, ""
        label = "".join(self._out[self._link_text_start:]).strip()
        if href.startswith(("http://", "https://")) and href.rstrip("/") != label.rstrip("/"):
            self._out.append(f" ({href})" if label else href)

    def _break(self, lines: int):
        """End the current line, leaving `lines` line breaks in a row (never more)."""
        tail = "".join(self._out[-4:])
        present = len(tail) - len(tail.rstrip("\n"))
        if self._out and present < lines:
            self._out.append("\n" * (lines - present))

    def text(self) -> str:
        raw = "".join(self._out)
        lines = [line.rstrip() for line in raw.split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
