"""Find every offer-like claim in a normalised answer: what it says, and where.

Detection is deliberately wide (a percentage is a claim unless the words
around it say it describes a product or a likelihood); grounding, in
`_grounding.py`, then lets through what is true of this member. Patterns are
compiled once per policy; `detect` is a pure function of the text.

    percentages, money, points, offer phrases, multi-buys   here
    tier grants and status                                  _tiers.py
    expiry                                                  _expiry.py
    discount codes                                          _codes.py
"""

from __future__ import annotations

import re

from gateway.governance import _claim_patterns as p
from gateway.governance._claim_types import Claim, ClaimKind, Wording, last_words, sentences
from gateway.governance._codes import CodeClaims
from gateway.governance._commitments import CommitmentClaims
from gateway.governance._expiry import ExpiryClaims
from gateway.governance._normalise import phrase_pattern
from gateway.governance._numbers import NUMBER, parse_number
from gateway.governance._tiers import TierClaims
from gateway.policy.governance import ClaimRules

_I = re.IGNORECASE

__all__ = ["Claim", "ClaimDetector", "ClaimKind"]

# Before an amount, these make it a lower limit rather than a price ("payments over $100");
# upper limits stay claims ("just under three bucks").
_THRESHOLD = re.compile(r"\b(?:over|above|more\s+than|at\s+least)\s*$", _I)
# Words that may stand between "added" and the number it hands out ("added you another 50").
_GRANT_FILLER = r"(?:(?:you|me|just|another|an\s+extra|extra|over)\s+){0,2}"


class ClaimDetector:
    def __init__(self, rules: ClaimRules) -> None:
        self._words = Wording(rules)
        self._offer = re.compile(phrase_pattern(rules.offer_phrases), _I)
        self._discount_next = re.compile(rf"\s*(?:{phrase_pattern(rules.discount_words)})", _I)
        self._benign_pct = re.compile(phrase_pattern(rules.benign_percent_context), _I)
        self._benign_after = re.compile(rf"\s*(?:{phrase_pattern(rules.benign_percent_after)})", _I)
        self._discount_verb = re.compile(
            rf"(?:{phrase_pattern(rules.discount_verbs)})\s+(?:by\s+)?(?P<num>{NUMBER}|{p.FRACTION})", _I
        )
        self._grant_verb = re.compile(
            rf"(?:{phrase_pattern(rules.points_grant_verbs)})\s+{_GRANT_FILLER}(?P<num>{NUMBER})"
            r"(?!\s*(?:minutes?|hours?|days?|weeks?|business))",
            _I,
        )
        self._masks = re.compile(phrase_pattern(rules.benign_phrases + rules.allowed_statements), _I)
        self._tiers = TierClaims(rules, self._words)
        self._expiry = ExpiryClaims(rules, self._words)
        self._codes = CodeClaims(rules)
        self._commitments = CommitmentClaims(rules, self._words)

    def detect(self, text: str) -> tuple[list[Claim], list[tuple[int, int]]]:
        """The claims in `text`, and the benign spans they were checked against."""
        lowered = text.lower()
        claims = [
            *self._percents(text, lowered),
            *self._money(text, lowered),
            *self._points(text, lowered),
            *self._offers(text, lowered),
            *self._codes.find(text),
            *self._tiers.find(text),
            *self._expiry.find(text),
            *self._commitments.find(text),
        ]
        masks = [m.span() for m in self._masks.finditer(text)]
        return claims, masks

    def _percents(self, text: str, lowered: str) -> list[Claim]:
        found = []
        for m in p.PERCENT.finditer(text, lowered):
            value = parse_number(m.group("num"))
            if not self._discount_next.match(text, m.end()) and self._describes(text, m, value):
                continue  # "100% recycled", "30% chance of rain", "98% of reviewers"
            found.append(Claim("percent", m.start(), m.end(), value))
        return found

    def _describes(self, text: str, m: re.Match[str], value: float | None) -> bool:
        if value == 100 or self._benign_after.match(text, m.end()):
            return True  # "100%" is emphasis unless a discount word follows it
        window = self._window(text, m.start(), m.end())
        return self._benign_pct.search(window) is not None

    def _money(self, text: str, lowered: str) -> list[Claim]:
        found = []
        for shape in p.MONEY:
            for m in shape.finditer(text, lowered):
                value = parse_number(_decimal_comma(m.group("num")))
                if value is not None and m.groupdict().get("cents"):
                    value /= 100
                off = self._discount_next.match(text, m.end()) or self._discount_before(text, m)
                if not off and _THRESHOLD.search(text[max(0, m.start() - 16) : m.start()]):
                    continue  # "payments over $100 may ask for a PIN": a limit, not a price
                found.append(Claim("money_off" if off else "money", m.start(), m.end(), value))
        found += [Claim("money", *m.span()) for m in p.MONEY_WORDS.finditer(text, lowered)]
        for m in [*p.BARE_OFF.finditer(text, lowered), *self._discount_verb.finditer(text)]:
            found.append(Claim("money_off", *m.span(), parse_number(m.group("num"))))
        return found

    def _discount_before(self, text: str, m: re.Match[str]) -> bool:
        # "save $5", "$5 credit" are discounts; "you're $5 away" is not.
        before = text[max(0, m.start() - 16) : m.start()].lower().split()
        return bool(before) and before[-1] in ("save", "saving", "extra", "another")

    def _points(self, text: str, lowered: str) -> list[Claim]:
        found = [
            Claim("bonus_points" if m.groupdict().get("bonus") else "points", m.start(), m.end(),
                  parse_number(m.group("num")))
            for shape in p.POINTS
            for m in shape.finditer(text, lowered)
        ]
        found += [Claim("bonus_points", *m.span())
                  for m in p.MULTIPLIED_POINTS.finditer(text, lowered)]
        if any(w in lowered for w in ("point", "pts", "balance")):
            found += self._granted_points(text)
        return found

    def _granted_points(self, text: str) -> list[Claim]:
        # "I've added 200 more": a number handed out in a sentence about points.
        found = []
        for start, end in sentences(text):
            if re.search(r"\b(?:points?|pts|balance)\b", text[start:end], _I):
                found += [Claim("bonus_points", *m.span())
                          for m in self._grant_verb.finditer(text, start, end)]
        return found

    def _offers(self, text: str, lowered: str) -> list[Claim]:
        found = [Claim("offer_phrase", *m.span()) for m in self._offer.finditer(text)
                 if not self._words.negated(text, m.start())]
        for m in p.MULTI_BUY.finditer(text, lowered):
            more, fewer = parse_number(m.group("a")), parse_number(m.group("b"))
            if more is not None and fewer is not None and more > fewer:
                found.append(Claim("offer_phrase", *m.span()))
        return found

    def _window(self, text: str, start: int, end: int) -> str:
        before = " ".join(last_words(text[max(0, start - 60) : start], 2))
        after = " ".join(text[end : end + 80].split()[: self._words.context_words])
        return f"{before} {after}"


def _decimal_comma(number: str) -> str:
    """A decimal comma ("3,49") becomes a point; a thousands comma ("1,200") stays."""
    return number.replace(",", ".") if re.fullmatch(r"\d+,\d{2}", number) else number
