"""Split an answer into sentences: the unit the gate drops on repair and streams on.

A sentence ends at ".", "!", "?" or "…" (with any closing quotes or brackets)
followed by whitespace and a character that can start a sentence, or at a line
break (list items and short lines are units of their own). A period does not
end a sentence inside a number ("$3.49"), after a common abbreviation
("e.g.", "approx.", "St.") or before a lower-case word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ABBREVIATIONS = frozenset(
    {"e.g", "i.e", "etc", "vs", "approx", "appt", "dept", "est", "mr", "mrs", "ms", "dr", "st",
     "ave", "blvd", "rd", "no", "nos", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
     "sept", "oct", "nov", "dec", "mon", "tue", "wed", "thu", "fri", "sat", "sun", "a.m", "p.m",
     "inc", "ltd", "co"}
)

_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s+\S)|\n")
_WORD_BEFORE = re.compile(r"(^|\n)?[ \t]*?([\w.]+)$")


@dataclass(frozen=True)
class Sentence:
    start: int  # index of the first character in the text
    end: int  # index after the last character (trailing whitespace excluded)
    text: str


def split_sentences(text: str) -> list[Sentence]:
    """The sentences of `text`, in order, with their spans; whitespace-only parts skipped."""
    sentences: list[Sentence] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        if match.group() != "\n" and not _ends_sentence(text, match):
            continue
        _add(sentences, text, start, match.end())
        start = match.end()
    _add(sentences, text, start, len(text))
    return sentences


def split_complete(buffer: str) -> tuple[str, str]:
    """For streaming: (the complete sentences at the start of `buffer`, the rest).

    The last sentence is never complete until something follows it, because
    "$3." may still become "$3.49".
    """
    sentences = split_sentences(buffer)
    if len(sentences) < 2:
        return "", buffer
    cut = sentences[-1].start
    return buffer[:cut], buffer[cut:]


def _ends_sentence(text: str, match: re.Match[str]) -> bool:
    following = text[match.end() :].lstrip()
    if following[:1].islower():
        return False
    if "." not in match.group():
        return True
    word = _WORD_BEFORE.search(text[max(0, match.start() - 24) : match.start()])
    if word is None:
        return True
    token = word.group(2).rstrip(".").lower()
    if token.isdigit() and word.group(1) is not None:
        return False  # "1. Milk": the number of a list item at the start of a line
    return token not in _ABBREVIATIONS and not (len(token) == 1 and token.isalpha())


def _add(sentences: list[Sentence], text: str, start: int, end: int) -> None:
    part = text[start:end]
    stripped = part.strip()
    if not stripped:
        return
    first = start + (len(part) - len(part.lstrip()))
    sentences.append(Sentence(first, first + len(stripped), stripped))
