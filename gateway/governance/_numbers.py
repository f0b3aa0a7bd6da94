"""Numbers as written in answers: digits ("1,200.50", "5k") or words ("ninety-five")."""

from __future__ import annotations

import re

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000}

_WORD = "|".join(sorted([*_UNITS, *_SCALES], key=len, reverse=True))
# "a hundred", "ninety-five", "two thousand and fifty"
WORDS = rf"\b(?:an?\s+)?(?:{_WORD})(?:(?:\s+and\s+|[\s-]+)(?:{_WORD}))*\b"
# "1,200", "1200.50", ".5", "5k"; \d also matches other scripts' digits, which int() reads.
DIGITS = r"(?<![\w.,])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:\s?[kK]\b)?|(?<![\w.])\.\d+"
NUMBER = rf"(?:{DIGITS}|{WORDS})"

_DIGITS_RE = re.compile(DIGITS)


def parse_number(text: str) -> float | None:
    """The value of a number matched by `NUMBER`, or None if it is not one."""
    text = text.strip()
    if not text:
        return None
    if text[0].isdigit() or text[0] == ".":
        return _parse_digits(text)
    return _parse_words(text)


def _parse_digits(text: str) -> float | None:
    scale = 1
    if text[-1] in "kK":
        scale = 1_000
        text = text[:-1].strip()
    try:
        return float(text.replace(",", "")) * scale
    except ValueError:
        return None


def _parse_words(text: str) -> float | None:
    total = 0
    current = 0
    seen = False
    for word in re.split(r"[\s-]+", text.lower()):
        if word in ("a", "an"):
            current = max(current, 1)
        elif word in _UNITS:
            current += _UNITS[word]
            seen = True
        elif word == "hundred":
            current = max(current, 1) * 100
            seen = True
        elif word in _SCALES:
            total += max(current, 1) * _SCALES[word]
            current = 0
            seen = True
        elif word != "and":
            return None
    return float(total + current) if seen else None


def digits_only(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def has_number(text: str) -> bool:
    return _DIGITS_RE.search(text) is not None
