"""Decide which detected claims are true of this member, and report the rest.

A claim is grounded when it restates a fact of the member's own context: their
points balance or expiring points, their spend to the next tier, their tier as
their status, a date the context holds, or the discount of one of their
candidate offers named in the same sentence. Offer wording the gateway
rendered itself, benign phrases and approved program statements are never
claims. Everything else that reads like an offer is a finding.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from gateway.governance._claims import Claim, ClaimDetector
from gateway.governance._facts import Finding, TurnFacts
from gateway.governance._normalise import Normalised
from gateway.policy.governance import ViolationCode

Span = tuple[int, int]

_SENTENCE_EDGE = re.compile(r"[.!?\n](?=\s|$)")


def ungrounded_claims(
    detector: ClaimDetector, norm: Normalised, facts: TurnFacts
) -> list[Finding]:
    """Findings (in original indices) for every claim the facts do not support."""
    text = norm.text
    claims, masks = detector.detect(text)
    masks += list(_occurrences(text, facts.approved_texts))
    findings: list[Finding] = []
    for claim in claims:
        if _inside_any(claim, masks):
            continue
        problem = _problem(claim, text, facts)
        if problem is None:
            continue
        code, message = problem
        start, end = norm.original_span(claim.start, claim.end)
        # "$12.50 off" is found as money and as a bare "12.50 off": report it once.
        if not any(f.code == code and f.start < end and start < f.end for f in findings):
            findings.append(Finding(code, start, end, message))
    return findings


def _problem(claim: Claim, text: str, facts: TurnFacts) -> tuple[ViolationCode, str] | None:
    said = text[claim.start : claim.end]
    rule = _RULES[claim.kind]
    if rule.grounded(claim, text, facts):
        return None
    return rule.code, rule.message.format(said=said)


class _Rule:
    def __init__(
        self,
        code: ViolationCode,
        message: str,
        grounded: Callable[[Claim, str, TurnFacts], bool] = lambda c, t, f: False,
    ) -> None:
        self.code = code
        self.message = message
        self.grounded = grounded


def _percent_grounded(claim: Claim, text: str, facts: TurnFacts) -> bool:
    # "20% off yoghurt" restates a candidate offer only if the sentence names it;
    # "20% off everything" does not.
    words = _words_of_sentence(text, claim)
    return any(
        claim.value == offer.discount_pct and offer.words & words for offer in facts.offers
    )


def _money_grounded(claim: Claim, text: str, facts: TurnFacts) -> bool:
    value = claim.value
    if value is None:
        return False
    # Whole-dollar rounding of a fact is the same fact ("about $412" for 412.37);
    # "$4.00", "2,79 €" and "99¢" state cents, so they must be exact.
    said = text[claim.start : claim.end]
    exact = not value.is_integer() or "." in said or re.search(r"¢|cent", said, re.IGNORECASE)
    slack = 0.005 if exact else 1.0
    if any(abs(value - fact) < slack for fact in facts.money):
        return True
    # "Your milk was $3.49" restates a purchase; "$3.49 for frozen pizza" does not.
    words = _words_of_sentence(text, claim)
    return any(abs(value - p.amount) < slack and p.words & words for p in facts.purchases)


def _points_grounded(claim: Claim, text: str, facts: TurnFacts) -> bool:
    return claim.value is not None and claim.value.is_integer() and int(claim.value) in facts.points


def _tier_grounded(claim: Claim, text: str, facts: TurnFacts) -> bool:
    return claim.label.lower() == facts.tier.lower()


def _date_grounded(claim: Claim, text: str, facts: TurnFacts) -> bool:
    ref = claim.date
    return ref is not None and any(ref.matches(when, facts.today) for when in facts.dates)


_RULES: dict[str, _Rule] = {
    "percent": _Rule("ungrounded_discount", "'{said}' is not an approved offer term for this "
                     "member; offers must be referenced by their marker", _percent_grounded),
    "offer_phrase": _Rule("ungrounded_discount", "'{said}' promises a deal that no approved "
                          "offer backs"),
    "money": _Rule("ungrounded_money", "'{said}' is not an amount from this member's "
                   "account", _money_grounded),
    "money_off": _Rule("ungrounded_discount", "'{said}' is a monetary discount that no "
                       "approved offer backs"),
    "points": _Rule("ungrounded_points", "'{said}' is not this member's points balance",
                    _points_grounded),
    "bonus_points": _Rule("ungrounded_points", "'{said}' promises points that no approved "
                          "offer backs"),
    "code": _Rule("discount_code", "'{said}': the gateway issues no discount codes"),
    "tier_grant": _Rule("tier_grant", "'{said}': the assistant cannot grant or change a tier"),
    "tier_status": _Rule("ungrounded_tier", "'{said}' is not this member's tier",
                         _tier_grounded),
    "never_expires": _Rule("ungrounded_expiry", "'{said}' contradicts the program's expiry "
                           "rules"),
    "expiry_date": _Rule("ungrounded_expiry", "'{said}' is not a date from this member's "
                         "context", _date_grounded),
}


def _words_of_sentence(text: str, claim: Claim) -> set[str]:
    return set(re.findall(r"\w+", _sentence_around(text, claim.start, claim.end).lower()))


def _sentence_around(text: str, start: int, end: int) -> str:
    edges = [m.end() for m in _SENTENCE_EDGE.finditer(text, 0, start)]
    first = edges[-1] if edges else 0
    after = _SENTENCE_EDGE.search(text, end)
    return text[first : after.end() if after else len(text)]


def _occurrences(text: str, needles: tuple[str, ...]) -> Iterator[Span]:
    for needle in needles:
        start = text.find(needle)
        while start != -1:
            yield start, start + len(needle)
            start = text.find(needle, start + 1)


def _inside_any(claim: Claim, masks: list[Span]) -> bool:
    return any(start <= claim.start and claim.end <= end for start, end in masks)
