"""Chinese word segmentation for search, with jieba.

Documents and queries go through the same segmentation, in search mode: a
long word also yields the shorter words inside it (打印机 → 打印, 印机,
打印机), so a query finds a word wherever a sentence has it. Function words
that would match nearly every article are dropped."""

import functools
import logging
import re

# A token worth indexing holds a letter or digit of some script.
_WORDLIKE = re.compile(r"\w", re.UNICODE)
STOP_WORDS = frozenset({
    "的", "了", "和", "与", "及", "或", "是", "在", "有", "也", "就", "都", "而", "又", "被",
    "把", "让", "给", "对", "从", "到", "向", "这", "那", "之", "其", "为", "以", "于",
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "is", "it", "of",
    "on", "or", "the", "to", "with",
})
# A query longer than this is cut: the suggestion panels send whole descriptions.
MAX_QUERY_TERMS = 40


@functools.cache
def _tokenizer():
    """jieba loads its dictionary on first use (about a second, once per
    process); its progress messages go to a logger we quieten."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def words(text: str) -> list[str]:
    """The words of `text`, lower-cased, in order, repeats kept."""
    if not text:
        return []
    return [
        token for token in (raw.strip().lower() for raw in _tokenizer().cut_for_search(text))
        if token and _WORDLIKE.search(token) and token not in STOP_WORDS
    ]


def index_text(*parts: str) -> str:
    """What the database indexes: the words separated by spaces."""
    return " ".join(word for part in parts for word in words(part))


def query_terms(text: str) -> list[str]:
    """The distinct words of a query, in order."""
    return list(dict.fromkeys(words(text)))[:MAX_QUERY_TERMS]
