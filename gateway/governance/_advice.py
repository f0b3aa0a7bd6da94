"""Claims we never make: medical, legal and financial advice.

Each topic is a list of phrases that are advice wherever they appear ("stop
taking", "file a lawsuit", "payday loan") and pairs of verbs and objects that
are advice when the object follows within a few words of the same sentence
("cures colds", "lowers your blood pressure", "invest your points"). Pairing
keeps ordinary product talk clear: "dog treats", "cold brew", "vitamin C is in
aisle 9", "lawn care" and "save money on groceries" match nothing, and a
topic's `not_advice` wording cancels a match it overlaps ("treat yourself to a
cold drink").
"""

from __future__ import annotations

import re

from gateway.governance._facts import Finding
from gateway.governance._normalise import Normalised, phrase_pattern
from gateway.policy.governance import AdviceRules, AdviceTopic, ViolationCode

_WHAT: dict[ViolationCode, str] = {
    "medical_advice": "gives medical advice or makes a health claim",
    "legal_advice": "gives legal advice",
    "financial_advice": "gives financial advice",
}


class AdviceCheck:
    def __init__(self, rules: AdviceRules) -> None:
        topics: tuple[tuple[ViolationCode, AdviceTopic], ...] = (
            ("medical_advice", rules.medical),
            ("legal_advice", rules.legal),
            ("financial_advice", rules.financial),
        )
        self._topics = [(code, _pattern(topic), _mask(topic)) for code, topic in topics
                        if topic.phrases or topic.pairs]

    def findings(self, norm: Normalised) -> list[Finding]:
        found = []
        for code, pattern, mask in self._topics:
            ordinary = [m.span() for m in mask.finditer(norm.text)]
            for m in pattern.finditer(norm.text):
                if any(s < m.end() and m.start() < e for s, e in ordinary):
                    continue  # "treat yourself to a cold drink" is not a cure for colds
                start, end = norm.original_span(*m.span())
                found.append(Finding(code, start, end, f"'{m.group()}' {_WHAT[code]}"))
        return found


def _pattern(topic: AdviceTopic) -> re.Pattern[str]:
    parts = [phrase_pattern(topic.phrases)] if topic.phrases else []
    for pair in topic.pairs:
        # Up to `within_words` words between, never across a sentence end.
        gap = rf"(?:[^\w.!?\n]+[\w'-]+){{0,{pair.within_words}}}?[^\w.!?\n]+"
        parts.append(rf"(?:{phrase_pattern(pair.verbs)}){gap}(?:{phrase_pattern(pair.objects)})")
    return re.compile("|".join(parts), re.IGNORECASE)


def _mask(topic: AdviceTopic) -> re.Pattern[str]:
    return re.compile(phrase_pattern(topic.not_advice), re.IGNORECASE)
