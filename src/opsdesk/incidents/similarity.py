"""Text similarity for duplicate suggestions, without a segmenter.

Chinese has no spaces, so CJK text is compared by overlapping character
pairs (bigrams); Latin text by lower-cased words. The score is the Dice
coefficient of the two token sets, 0.0 to 1.0.
"""

import re

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[a-z0-9][a-z0-9._-]*")


def tokens(text: str) -> set[str]:
    text = text.lower()
    found = set(_WORD.findall(_CJK.sub(" ", text)))
    for run in _CJK.findall(text):
        if len(run) == 1:
            found.add(run)
        found.update(run[i : i + 2] for i in range(len(run) - 1))
    return found


def similarity(a: str, b: str) -> float:
    left, right = tokens(a), tokens(b)
    if not left or not right:
        return 0.0
    return 2 * len(left & right) / (len(left) + len(right))
