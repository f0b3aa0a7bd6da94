"""Read an answer the way a member would see it, whatever its encoding tricks.

A model (or an injected instruction) can hide a claim from a naive regex with
full-width digits ("９０％"), zero-width characters ("9\u200b0%"), lookalike
letters (Cyrillic "о" for "o"), a letter O among digits ("9O%"), markup that a
chat client renders ("90&#37;", "90\\%", "**9**0%", "<b>9</b>0%") or letters
spread out with spaces ("f r e e"). The checks run on a normalised copy;
`Normalised.starts`/`ends` map every character of the copy back to the original
so that findings point at the text the member would see.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_INVISIBLE = frozenset("\u00ad\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff")

# Letters that render like Latin ones; NFKC leaves them alone because they are
# distinct letters of other scripts. Also typographic quotes, so that "won’t"
# matches the phrase "won't", and the Arabic percent sign.
_LOOKALIKES = str.maketrans(
    {
        "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i",
        "ј": "j", "ѕ": "s", "ԁ": "d", "һ": "h", "ԛ": "q", "ԝ": "w", "ɡ": "g",
        "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
        "С": "C", "Т": "T", "Х": "X", "У": "Y", "І": "I", "Ј": "J", "Ѕ": "S",
        "ο": "o", "α": "a", "ν": "v", "ρ": "p", "ι": "i", "κ": "k", "υ": "u", "μ": "u",
        "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
        "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
        "\u2018": "'", "\u2019": "'", "\u02bc": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u2033": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
        "\u066a": "%",
    }
)

# One unit of the original: an HTML entity, a backslash escape, or one character.
_UNIT = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z]{2,8});|\\[!-/:-@\[-`{-~]|.", re.S)
# Inline formatting a chat client renders away: emphasis, code and strike marks, and
# HTML text-style tags. Links and images (<a>, <img>) stay: the link check needs them.
_MARKUP = re.compile(
    r"</?(?:b|i|u|s|em|strong|span|sup|sub|mark|small|big|font|del|ins|strike|tt|code)"
    r"\b[^<>]{0,80}>|[*`~]",
    re.IGNORECASE,
)
# Letters or digits spread out with single spaces ("f r e e", "S A V E 1 0"), and two
# spaced digits before a percent sign ("3 0 %").
_SPREAD = re.compile(r"\b[^\W_](?: [^\W_]\b){2,}|\b\d(?: \d\b)+(?=\s?%)")
# The letter O written inside a number ("9O%", "1OO points"), and a zero inside a
# word ("c0de"); same length.
_LETTER_O_IN_NUMBER = re.compile(r"(?<=\d)[Oo]+(?![A-Za-z])|\b[Oo]+(?=\d)")
_ZERO_IN_WORD = re.compile(r"(?<=[A-Za-z])0(?=[A-Za-z])")


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
    """NFKC, invisible characters removed, lookalikes folded, markup and spreading undone."""
    if text.isascii() and "&" not in text and "\\" not in text:
        # Plain ASCII is already NFKC and has no invisible or lookalike characters.
        mapped = _Mapped(text, None, None)
    else:
        mapped = _fold_units(text)
    mapped = mapped.rewrite(_MARKUP, lambda m: "")
    mapped = mapped.rewrite(_SPREAD, lambda m: m.group().replace(" ", ""))
    mapped = mapped.rewrite(_LETTER_O_IN_NUMBER, lambda m: "0" * len(m.group()))
    mapped = mapped.rewrite(_ZERO_IN_WORD, lambda m: "o")
    return mapped.result()


@dataclass(frozen=True)
class _Mapped:
    """A text being normalised and, once it differs from the original, its index map."""

    text: str
    starts: list[int] | None
    ends: list[int] | None

    def rewrite(self, pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str]) -> _Mapped:
        """Replace every match; the new characters map to the whole span they replace."""
        matches = [m for m in pattern.finditer(self.text) if m.end() > m.start()]
        if not matches:
            return self
        starts = self.starts if self.starts is not None else list(range(len(self.text)))
        ends = self.ends if self.ends is not None else list(range(1, len(self.text) + 1))
        chars: list[str] = []
        new_starts: list[int] = []
        new_ends: list[int] = []
        position = 0
        for m in matches:
            chars.append(self.text[position : m.start()])
            new_starts.extend(starts[position : m.start()])
            new_ends.extend(ends[position : m.start()])
            replacement = replace(m)
            chars.append(replacement)
            new_starts.extend([starts[m.start()]] * len(replacement))
            new_ends.extend([ends[m.end() - 1]] * len(replacement))
            position = m.end()
        chars.append(self.text[position:])
        new_starts.extend(starts[position:])
        new_ends.extend(ends[position:])
        return _Mapped("".join(chars), new_starts, new_ends)

    def result(self) -> Normalised:
        if self.starts is None or self.ends is None:
            return Normalised(self.text)
        return Normalised(self.text, tuple(self.starts), tuple(self.ends))


def _fold_units(text: str) -> _Mapped:
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for unit in _UNIT.finditer(text):
        folded = _fold(unit.group())
        chars.append(folded)
        starts.extend([unit.start()] * len(folded))
        ends.extend([unit.end()] * len(folded))
    return _Mapped("".join(chars), starts, ends)


def _fold(unit: str) -> str:
    if len(unit) > 1:
        unit = html.unescape(unit) if unit[0] == "&" else unit[1]
    return "".join(
        unicodedata.normalize("NFKC", c).translate(_LOOKALIKES)
        for c in unit
        if c not in _INVISIBLE
    )


def phrase_pattern(phrases: tuple[str, ...]) -> str:
    """One regex for a list of phrases: whole words, flexible spacing, longest first.

    Words may be separated by spaces, hyphens or a comma ("buy one, get one").
    Word boundaries are added only where a phrase starts or ends with a letter
    or digit, so "n't" and "% off" still match after other characters. The phrases
    are compiled as a character trie: a list of a hundred phrases costs one
    branch per character instead of a hundred tries at every position.
    """
    trie: dict[str, Any] = {}
    for phrase in {p.strip().lower() for p in phrases}:
        node = trie
        # "n't" is the end of a word: no boundary before it.
        left = r"\b" if phrase[0].isalnum() and phrase[1:2] != "'" else ""
        tokens = [_SEPARATOR if c == " " else re.escape(c) for c in " ".join(phrase.split())]
        for token in [left, *tokens, r"\b" if phrase[-1].isalnum() else ""]:
            node = node.setdefault(token, {})
    return _trie(trie) if trie else r"(?!)"


_SEPARATOR = r"(?:,?[\s-]+)"


def _trie(node: dict[str, Any]) -> str:
    if not node:
        return ""
    # Longer continuations first, the end of a phrase ("" or \b) last: longest match wins.
    branches = sorted(node.items(), key=lambda item: item[0] in ("", r"\b"))
    alternatives = [token + _trie(child) for token, child in branches]
    return alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"
