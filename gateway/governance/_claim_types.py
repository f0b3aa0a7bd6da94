"""What the claim detectors share: the `Claim` they report and how they read words.

`Wording` is built once per policy from `ClaimRules`: it knows the negations
("isn't free", "can't upgrade you") and where a sentence starts and ends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from gateway.governance._dates import DateRef
from gateway.governance._normalise import phrase_pattern
from gateway.policy.governance import ClaimRules

_I = re.IGNORECASE

ClaimKind = Literal[
    "percent", "money", "money_off", "points", "bonus_points", "offer_phrase", "code",
    "tier_grant", "tier_status", "never_expires", "expiry_date",
]

SENTENCE_EDGE = re.compile(r"[.!?\n](?=\s|$)")


@dataclass(frozen=True)
class Claim:
    kind: ClaimKind
    start: int  # indices into the normalised text
    end: int
    value: float | None = None
    label: str = ""  # the tier named by a tier claim
    date: DateRef | None = None  # the date an expiry claim states


class Wording:
    def __init__(self, rules: ClaimRules) -> None:
        self.context_words = rules.context_words
        fillers = phrase_pattern(rules.negation_fillers)
        self._negation = re.compile(
            rf"(?:{phrase_pattern(rules.negations)})(?:\s+(?:{fillers}))*[\s,]*$", _I
        )

    def negated(self, text: str, start: int) -> bool:
        """A negation right before `start` ("isn't free", "can't upgrade you"); one further
        back does not count ("don't miss our free...")."""
        window = " ".join(last_words(text[:start], self.context_words + 1))
        return self._negation.search(window) is not None


def last_words(text: str, count: int) -> list[str]:
    return [w.strip(".,;:!?\"()").lower() for w in text[-120:].split()[-count:]]


def sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The span of the sentence that holds text[start:end]."""
    edges = [m.end() for m in SENTENCE_EDGE.finditer(text, 0, start)]
    first = edges[-1] if edges else 0
    after = SENTENCE_EDGE.search(text, end)
    return first, after.end() if after else len(text)


def sentences(text: str) -> list[tuple[int, int]]:
    """Rough sentence spans, enough to keep a rule within one sentence."""
    spans = []
    start = 0
    for m in SENTENCE_EDGE.finditer(text):
        spans.append((start, m.end()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans
