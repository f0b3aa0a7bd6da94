"""Find every offer-like claim in a normalised answer: what it says, and where.

Detection is deliberately wide (a percentage is a claim unless the words
around it say it describes a product or a likelihood); grounding, in
`_grounding.py`, then lets through what is true of this member. Patterns are
compiled once per policy; `detect` is a pure function of the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from gateway.governance._dates import DateRef, find_date
from gateway.governance._normalise import phrase_pattern
from gateway.governance._numbers import DIGITS, NUMBER, parse_number
from gateway.policy.governance import ClaimRules

ClaimKind = Literal[
    "percent", "money", "money_off", "points", "bonus_points", "offer_phrase", "code",
    "tier_grant", "tier_status", "never_expires", "expiry_date",
]

_I = re.IGNORECASE
_PERCENT = re.compile(rf"(?P<num>{NUMBER})[\s-]*(?:%|percent\b|per[\s-]?cent\b|pct\b)", _I)
_SYMBOL = "[$€£¥₹₩₽]"
_MONEY = (
    re.compile(rf"(?:{_SYMBOL}|\b(?:usd|eur|gbp)\b)\s?(?P<num>{DIGITS})", _I),
    re.compile(rf"(?P<num>{NUMBER})\s*(?P<cents>cents?\b|¢)", _I),
    re.compile(rf"(?P<num>{NUMBER})\s*(?:dollars?|bucks|euros?|usd|eur|gbp|quid)\b", _I),
    re.compile(rf"(?P<num>{DIGITS})\s?{_SYMBOL}", _I),
)
# "take 10 off": a discount with the unit left out.
_BARE_OFF = re.compile(rf"(?P<num>{NUMBER})\s+off\b", _I)
_POINTS = (
    re.compile(
        rf"(?P<num>{NUMBER})\s*(?P<bonus>(?:bonus|extra|free)\s+)?"
        r"(?:(?:reward|rewards|loyalty)\s+)?(?:points?|pts?)\b",
        _I,
    ),
    re.compile(rf"\b(?:points?|pts|points balance)\s*[:=]\s*(?P<num>{NUMBER})", _I),
)
# A code given without the word "code": "use VIP90 at checkout".
_BARE_CODE = re.compile(
    r"\b(?i:use|enter|apply|redeem|type|quote)\s+[\"']?(?P<code>[A-Z][A-Z0-9-]*\d[A-Z0-9-]*)\b"
)
_MULTIPLIED_POINTS = re.compile(
    r"\b(?:double|triple|quadruple|twice\s+the|(?:\d+|two|three|four|five|ten)\s*(?:x|times))"
    r"(?:\s+the)?\s+(?:(?:bonus|reward|rewards)\s+)?points\b|\b(?:bonus|extra)\s+points\b",
    _I,
)
_WORD = r"[\w'$%,.]+"
_SENTENCE_END = re.compile(r"[.!?](?=\s)|\n")


@dataclass(frozen=True)
class Claim:
    kind: ClaimKind
    start: int  # indices into the normalised text
    end: int
    value: float | None = None
    label: str = ""  # the tier named by a tier claim
    date: DateRef | None = None  # the date an expiry claim states


class ClaimDetector:
    def __init__(self, rules: ClaimRules) -> None:
        n = rules.context_words
        self._n = n
        self._offer = re.compile(phrase_pattern(rules.offer_phrases), _I)
        self._discount_next = re.compile(rf"\s*(?:{phrase_pattern(rules.discount_words)})", _I)
        self._benign_pct = re.compile(phrase_pattern(rules.benign_percent_context), _I)
        self._masks = re.compile(
            phrase_pattern(rules.benign_phrases + rules.allowed_statements), _I
        )
        self._never = re.compile(phrase_pattern(rules.never_expire_phrases), _I)
        self._code = re.compile(
            rf"(?:{phrase_pattern(rules.code_words)})\s*[:#]?\s*[\"']?"
            r"(?P<code>[A-Za-z0-9][A-Za-z0-9_-]{2,})",
            _I,
        )
        self._tier = re.compile(phrase_pattern(rules.tier_names), _I)
        between = rf"(?P<between>(?:\W+{_WORD}){{0,{n}}}?)\W*$"
        self._grant = re.compile(rf"(?:{phrase_pattern(rules.grant_phrases)}){between}", _I)
        self._status = re.compile(rf"(?:{phrase_pattern(rules.status_phrases)}){between}", _I)
        self._progress = frozenset(p.lower() for p in rules.progress_words)
        fillers = phrase_pattern(rules.negation_fillers)
        self._negation = re.compile(
            rf"(?:{phrase_pattern(rules.negations)})(?:\s+(?:{fillers}))*[\s,]*$", _I
        )
        self._expiry = re.compile(phrase_pattern(rules.expiry_words), _I)

    def detect(self, text: str) -> tuple[list[Claim], list[tuple[int, int]]]:
        """The claims in `text`, and the benign spans they were checked against."""
        claims = [
            *self._percents(text),
            *self._money(text),
            *self._points(text),
            *self._offers(text),
            *self._codes(text),
            *self._tiers(text),
            *self._expiries(text),
        ]
        masks = [m.span() for m in self._masks.finditer(text)]
        return claims, masks

    def _percents(self, text: str) -> list[Claim]:
        found = []
        for m in _PERCENT.finditer(text):
            if not self._discount_next.match(text, m.end()) and self._benign_pct.search(
                self._window(text, m.start(), m.end())
            ):
                continue  # "100% recycled", "30% chance of rain"
            found.append(Claim("percent", m.start(), m.end(), parse_number(m.group("num"))))
        return found

    def _money(self, text: str) -> list[Claim]:
        found = []
        for pattern in _MONEY:
            for m in pattern.finditer(text):
                value = parse_number(m.group("num"))
                if value is not None and m.groupdict().get("cents"):
                    value /= 100
                off = self._discount_next.match(text, m.end()) or self._discount_before(text, m)
                found.append(Claim("money_off" if off else "money", m.start(), m.end(), value))
        found += [Claim("money_off", *m.span(), parse_number(m.group("num")))
                  for m in _BARE_OFF.finditer(text)]
        return found

    def _discount_before(self, text: str, m: re.Match[str]) -> bool:
        # "save $5", "$5 credit" are discounts; "you're $5 away" is not.
        before = text[max(0, m.start() - 16) : m.start()].lower().split()
        return bool(before) and before[-1] in ("save", "saving", "extra", "another")

    def _points(self, text: str) -> list[Claim]:
        found = [
            Claim("bonus_points" if m.groupdict().get("bonus") else "points", m.start(), m.end(),
                  parse_number(m.group("num")))
            for pattern in _POINTS
            for m in pattern.finditer(text)
        ]
        found += [Claim("bonus_points", *m.span()) for m in _MULTIPLIED_POINTS.finditer(text)]
        return found

    def _offers(self, text: str) -> list[Claim]:
        return [
            Claim("offer_phrase", *m.span())
            for m in self._offer.finditer(text)
            if not self._negated(text, m.start())
        ]

    def _codes(self, text: str) -> list[Claim]:
        found = []
        for m in self._code.finditer(text):
            code = m.group("code")
            if any(c.isdigit() for c in code) or (code.isupper() and len(code) >= 4):
                found.append(Claim("code", *m.span()))
        return found + [Claim("code", *m.span()) for m in _BARE_CODE.finditer(text)]

    def _tiers(self, text: str) -> list[Claim]:
        found = []
        for m in self._tier.finditer(text):
            before = text[max(0, m.start() - 80) : m.start()]
            grant = self._grant.search(before)
            if grant and not self._negated(before, grant.start()):
                found.append(Claim("tier_grant", m.start() - len(before) + grant.start(),
                                   m.end(), label=m.group()))
                continue
            status = self._status.search(before)
            if status and not self._progressing(before, status):
                found.append(Claim("tier_status", m.start(), m.end(), label=m.group()))
        return found

    def _progressing(self, before: str, status: re.Match[str]) -> bool:
        # "you're close to Platinum", "your next tier is Platinum": on the way, not there.
        words = self._last_words(before[: status.start()], 2)
        words += [w.strip(".,;:!?\"()").lower() for w in status.group("between").split()]
        return not self._progress.isdisjoint(words)

    def _expiries(self, text: str) -> list[Claim]:
        found = [Claim("never_expires", *m.span()) for m in self._never.finditer(text)]
        for m in self._expiry.finditer(text):
            # Only a date in the same sentence counts: "Points expire. On May 5 we..."
            following = _SENTENCE_END.split(text[m.end() : m.end() + 60], maxsplit=1)[0]
            dated = find_date(following)
            if dated is not None:
                found.append(Claim("expiry_date", m.start(), m.end() + dated[1], date=dated[0]))
        return found

    def _negated(self, text: str, start: int) -> bool:
        # Only a negation right before the phrase counts: "isn't free", "can't upgrade
        # you"; "don't miss our free..." is not negated.
        window = " ".join(self._last_words(text[:start], self._n + 1))
        return self._negation.search(window) is not None

    def _window(self, text: str, start: int, end: int) -> str:
        before = " ".join(self._last_words(text[max(0, start - 60) : start], 2))
        after = " ".join(text[end : end + 80].split()[: self._n])
        return f"{before} {after}"

    @staticmethod
    def _last_words(text: str, count: int) -> list[str]:
        return [w.strip(".,;:!?\"()").lower() for w in text[-120:].split()[-count:]]
