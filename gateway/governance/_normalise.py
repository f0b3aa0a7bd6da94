"""Read an answer the way a member would see it, whatever its encoding tricks.

A model (or an injected instruction) can hide a claim from a naive regex with
full-width digits ("９０％"), zero-width characters ("9\u200b0%"), lookalike
letters (Cyrillic "о" for "o"), a letter O among digits ("9O%"), or markup
that a chat client renders ("90&#37;", "90\\%"). The checks
run on a normalised copy; `Normalised.starts`/`ends` map every character of the copy
back to the original so that findings point at the text the member would see.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

_INVISIBLE = frozenset("\u00ad\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff")

# Letters that render like Latin ones; NFKC leaves them alone because they are
# distinct letters of other scripts. Also typographic quotes, so that "won’t"
# matches the phrase "won't".
_LOOKALIKES = str.maketrans(
    {
        "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i",
        "ј": "j", "ѕ": "s", "ԁ": "d", "һ": "h", "ԛ": "q", "ԝ": "w", "ɡ": "g",
        "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
        "С": "C", "Т": "T", "Х": "X", "У": "Y", "І": "I", "Ј": "J", "Ѕ": "S",
        "ο": "o", "α": "a", "ν": "v", "ρ": "p", "ι": "i", "κ": "k", "υ": "u",
        "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
        "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
        "\u2018": "'", "\u2019": "'", "\u02bc": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u2033": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
    }
)

# The letter O written inside a number ("9O%", "1OO points"); same length, so
# the index map is unaffected.
_LETTER_O_IN_NUMBER = re.compile(r"(?<=\d)[Oo]+(?![A-Za-z])|\b[Oo]+(?=\d)")
# One unit of the original: an HTML entity, a backslash escape, or one character.
_UNIT = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z]{2,8});|\\[!-/:-@\[-`{-~]|.", re.S)


@dataclass(frozen=True)
class Normalised:
    text: str
    # For each character of `text`, the span of the original it came from;
    # None when the indices are the same.
    starts: tuple[int, ...] | None = None
    ends: tuple[int, ...] | None = None

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that produced `text[start:end]`."""
        if self.starts is None or self.ends is None:
            return start, end
        if start >= len(self.starts):
            last = self.ends[-1] if self.ends else 0
            return last, last
        first = self.starts[start]
        return first, self.ends[end - 1] if end > start else first


def normalise(text: str) -> Normalised:
    """NFKC, invisible characters removed, lookalikes folded; a map back to `text`."""
    if text.isascii() and "&" not in text and "\\" not in text:
        # Plain ASCII is already NFKC and has no invisible or lookalike characters.
        return Normalised(_fold_letter_o(text))
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for unit in _UNIT.finditer(text):
        folded = _fold(unit.group())
        chars.append(folded)
        starts.extend([unit.start()] * len(folded))
        ends.extend([unit.end()] * len(folded))
    return Normalised(_fold_letter_o("".join(chars)), tuple(starts), tuple(ends))


def _fold(unit: str) -> str:
    if len(unit) > 1:
        unit = html.unescape(unit) if unit[0] == "&" else unit[1]
    return "".join(
        unicodedata.normalize("NFKC", c).translate(_LOOKALIKES)
        for c in unit
        if c not in _INVISIBLE
    )


def _fold_letter_o(text: str) -> str:
    if "o" not in text and "O" not in text:
        return text
    return _LETTER_O_IN_NUMBER.sub(lambda m: "0" * len(m.group()), text)


def phrase_pattern(phrases: tuple[str, ...]) -> str:
    """One regex alternative for a list of phrases: whole words, flexible spacing.

    Longer phrases come first so that "buy one get one" wins over "buy one".
    Word boundaries are added only where a phrase starts or ends with a letter
    or digit, so "n't" and "% off" still match inside their words.
    """
    parts = []
    for phrase in sorted({p.strip().lower() for p in phrases}, key=len, reverse=True):
        body = r"[\s-]+".join(re.escape(word) for word in phrase.split())
        left = r"\b" if phrase[0].isalnum() else ""
        right = r"\b" if phrase[-1].isalnum() else ""
        parts.append(f"{left}{body}{right}")
    return "|".join(parts) if parts else r"(?!)"
