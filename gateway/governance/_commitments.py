"""Commercial commitments by their structure, not by a list of phrasings.

The other detectors read claims with a number or a known phrase in them. This
one reads the shape of a commitment a member could hold the store to, in the
wording a model happens to choose:

    zero cost      a negated cost verb ("won't cost you a thing", "without paying",
                   "nothing to pay"), or someone else paying ("covered by us")
    price cut      a cut verb with "off" ("take a chunk off the total") or a
                   comparative price ("cheaper", "a lower price") said to the member
    spoken price   a price in words ("eight ninety-nine", "three forty-nine") or a
                   price verb with a number ("runs three", "rings up at 4")
    multiplied     rewards multiplied ("triple rewards", "double the stars")
    tier change    a tier named with a word of change ("now", "as of today",
                   "welcome aboard", "lifted") and no word of progress ("to reach")
    expiry lifted  points or offers with their expiry turned off, negated or
                   outlasted ("no cut-off", "won't lapse", "stick around")

Each is reported as a `Claim` of an existing kind, so grounding and repair
treat it like any other: a tier change that names the member's own tier is
their status; the rest is never grounded. The word lists are the policy's
(`claims.commitments`); the shapes are fixed here.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable

from gateway.governance._claim_types import Claim, Wording, sentences
from gateway.governance._normalise import phrase_pattern
from gateway.policy.governance import ClaimRules

_I = re.IGNORECASE

_UNIT = r"one|two|three|four|five|six|seven|eight|nine"
_TEEN = r"ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
_TENS = r"twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
# "eight ninety-nine", "twelve fifty", "three oh five": dollars then cents, in words; not
# a time ("opens at seven thirty", "nine fifteen am").
_SPOKEN_PRICE = re.compile(
    rf"\b(?:{_UNIT}|{_TEEN})[\s-]+(?:(?:{_TENS})(?:[\s-]+(?:{_UNIT}))?|oh[\s-]+(?:{_UNIT}))\b"
    r"(?!\s*(?:a\.?m\b|p\.?m\b|o'clock|tonight|this\s+(?:morning|evening)|minutes?|hours?))", _I
)
_TIME_BEFORE = re.compile(r"\b(?:at|by|to|until|till|from|after|before|around|past)\s+$", _I)
_NUMBERISH = (rf"(?:\d+(?:[.,]\d+)?|(?:{_TENS})(?:[\s-]+(?:{_UNIT}))?|{_UNIT}|{_TEEN}"
              r"|a\s+few|a\s+couple)")
# "take a chunk off", "knock a few bucks off": an amount between the cut verb and "off".
_AMOUNT = (r"(?:a\s+(?:chunk|bit|little|slice|portion|fraction|few|couple|good|nice|big|small|"
           r"tidy|handful|share|percentage|dollar|buck)|some|money|cash|something|\d[\w.,$%]*|\$"
           rf"|{_UNIT}|{_TEEN}|{_TENS})")
# After a tier name, only these may follow for it to be the member's tier ("Platinum status",
# "Platinum as of today"); "Silver foil", "Gold coins" are products.
_TIER_FOLLOWERS = re.compile(
    r"\s*(?:$|[^\w\s]|(?:tier|status|level|member|members|membership|perks|benefits|cardholder"
    r"|card|rewards|account|club|now|today|as|from|starting|effective|and|with|so|since|by|"
    r"on|too|already|officially)\b)", _I)
_NOT_MONEY = (rf"(?![\s-]+(?:{_UNIT})\b)"
              r"(?!\s*(?:minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|times?|people"
              r"|servings?|slices?|pieces?|items?|kinds?|ways?|lanes?|spaces?|feet|miles?|"
              r"pounds?\s+of|kg|lbs?|grams?|cups?|degrees?|o'clock|am\b|pm\b|a\.m|p\.m|percent|%))")


class CommitmentClaims:
    def __init__(self, rules: ClaimRules, wording: Wording) -> None:
        c = rules.commitments
        neg = phrase_pattern(c.cost_negations)
        self._zero_cost = re.compile(
            rf"(?:{neg})\s+(?:[\w'-]+\s+){{0,3}}?(?:{phrase_pattern(c.cost_verbs)})"
            rf"|(?:{phrase_pattern(c.zero_cost_phrases)})", _I)
        self._zero_cost_benign = re.compile(phrase_pattern(c.zero_cost_benign), _I)
        self._cut = re.compile(
            rf"(?:{phrase_pattern(c.cut_verbs)})\s+{_AMOUNT}(?:\s+[\w'$-]+){{0,3}}?\s+off\b"
            rf"|\boff\s+(?:the|your|their)\s+(?:{phrase_pattern(c.price_nouns)})", _I)
        self._cheaper = re.compile(phrase_pattern(c.comparative_prices), _I)
        self._beneficiary = re.compile(phrase_pattern(c.beneficiaries), _I)
        self._price_verb = re.compile(
            rf"(?:{phrase_pattern(c.price_verbs)})\s+(?:at\s+|for\s+)?(?:just\s+|only\s+|about\s+"
            rf"|around\s+|roughly\s+)?{_NUMBERISH}\b{_NOT_MONEY}", _I)
        self._multiplied = re.compile(
            rf"(?:{phrase_pattern(c.multipliers)})\s+(?:[\w'-]+\s+){{0,2}}?"
            rf"(?:{phrase_pattern(c.reward_nouns)})", _I)
        self._rewards = re.compile(phrase_pattern(c.reward_nouns), _I)
        self._after = re.compile(phrase_pattern(c.multiplied_after), _I)
        self._tier = re.compile(phrase_pattern(rules.tier_names), _I)
        self._change = re.compile(phrase_pattern(c.tier_change_words), _I)
        self._progress = re.compile(phrase_pattern(c.tier_progress_words), _I)
        self._subject = re.compile(phrase_pattern(rules.expiry_subjects), _I)
        self._lift = re.compile(phrase_pattern(c.expiry_lift_actions), _I)
        self._no_end = re.compile(
            rf"(?:{neg}|\bno\b|\bwithout\b)\s+(?:(?:have|has|got|a|an|the|any|more|real|set|fixed)\s+){{0,2}}"
            rf"(?:{phrase_pattern(c.expiry_concepts)})", _I)
        self._outlast = re.compile(phrase_pattern(c.expiry_outlast), _I)
        self._words = wording

    def find(self, text: str) -> list[Claim]:
        """Each pattern runs once over the text; the sentence of a match decides the rest."""
        spans = sentences(text)
        edges = [e for _, e in spans]

        def sentence(at: int) -> tuple[int, int]:
            return spans[min(bisect_right(edges, at), len(spans) - 1)]

        def inside(pattern: re.Pattern[str], at: int) -> bool:
            return pattern.search(text, *sentence(at)) is not None

        found = [Claim("offer_phrase", *m.span()) for m in self._zero_cost.finditer(text)
                 if not inside(self._zero_cost_benign, m.start())]
        found += [Claim("money_off", *m.span()) for m in self._cut.finditer(text)
                  if not self._words.negated(text, m.start())]
        found += [Claim("offer_phrase", *m.span()) for m in self._cheaper.finditer(text)
                  if inside(self._beneficiary, m.start()) and not self._words.negated(text, m.start())]
        found += [Claim("money_off", *m.span()) for m in _SPOKEN_PRICE.finditer(text)
                  if not _TIME_BEFORE.search(text, max(0, m.start() - 8), m.start())]
        found += [Claim("money_off", *m.span()) for m in self._price_verb.finditer(text)]
        found += [Claim("bonus_points", *m.span()) for m in self._multiplied.finditer(text)]
        found += [Claim("bonus_points", *m.span()) for m in self._after.finditer(text)
                  if inside(self._rewards, m.start())]
        return found + self._tier_change(text, sentence) + self._expiry(text, inside)

    def _tier_change(self, text: str, sentence: Callable[[int], tuple[int, int]]) -> list[Claim]:
        # A tier is a name: "Platinum", not "gold coins" or "silver".
        found = []
        for m in self._tier.finditer(text):
            if not (m.group()[0].isupper() and _TIER_FOLLOWERS.match(text, m.end())):
                continue
            first, last = sentence(m.start())
            if self._change.search(text, first, last) and not self._progress.search(text, first, last):
                found.append(Claim("tier_status", *m.span(), label=m.group()))
        return found

    def _expiry(self, text: str, inside: Callable[[re.Pattern[str], int], bool]) -> list[Claim]:
        spans = [m.span() for m in self._lift.finditer(text) if not self._words.negated(text, m.start())]
        spans += [m.span() for m in self._no_end.finditer(text)]
        spans += [m.span() for m in self._outlast.finditer(text)
                  if not self._words.negated(text, m.start())]
        return [Claim("never_expires", s, e) for s, e in spans if inside(self._subject, s)]
