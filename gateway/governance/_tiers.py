"""Tier claims: a grant ("I've upgraded you to Gold") or a statement of status ("you're Gold").

A grant is never allowed, whatever the tier. A status statement is allowed only
when it names the member's own tier, which grounding decides; "you're close to
Platinum" and "once you're Platinum" are on the way there, not statements.
"""

from __future__ import annotations

import re

from gateway.governance._claim_types import Claim, Wording, last_words
from gateway.governance._normalise import phrase_pattern
from gateway.policy.governance import ClaimRules

_I = re.IGNORECASE

_WORD = r"[\w'$%,.]+"
# "a Platinum member", "an Gold shopper": someone of that tier, whoever the subject.
_ARTICLE = r"\ban?\s+(?:\*\*)?$"
_HOLDER = re.compile(r"\s*(?:member|shopper|customer|cardholder)\b", _I)


class TierClaims:
    def __init__(self, rules: ClaimRules, wording: Wording) -> None:
        n = rules.context_words
        # Between the phrase and the tier: up to n words, never a sentence or clause end.
        between = rf"(?P<between>(?:[^\w;.!?]+{_WORD}){{0,{n}}}?)[^\w;.!?]*$"
        self._tier = re.compile(phrase_pattern(rules.tier_names), _I)
        self._grant = re.compile(rf"(?:{phrase_pattern(rules.grant_phrases)}){between}", _I)
        self._status = re.compile(rf"(?:{phrase_pattern(rules.status_phrases)}){between}", _I)
        self._progress = frozenset(p.lower() for p in rules.progress_words)
        self._future = frozenset(p.lower() for p in rules.future_words)
        self._wording = wording

    def find(self, text: str) -> list[Claim]:
        found = []
        for m in self._tier.finditer(text):
            before = text[max(0, m.start() - 80) : m.start()]
            grant = self._grant.search(before)
            if grant and not self._wording.negated(before, grant.start()):
                found.append(Claim("tier_grant", m.start() - len(before) + grant.start(),
                                   m.end(), label=m.group()))
                continue
            status = self._status.search(before)
            if (status and not self._on_the_way(before, status)) or self._holder(text, before, m):
                found.append(Claim("tier_status", m.start(), m.end(), label=m.group()))
        return found

    def _holder(self, text: str, before: str, tier: re.Match[str]) -> bool:
        # "consider yourself a Platinum member"; "to become a Platinum member" is ahead.
        if not (re.search(_ARTICLE, before, _I) and _HOLDER.match(text, tier.end())):
            return False
        ahead = set(last_words(before, 4))
        return self._progress.isdisjoint(ahead) and self._future.isdisjoint(ahead)

    def _on_the_way(self, before: str, status: re.Match[str]) -> bool:
        # "you're close to Platinum": a progress word between; "your next tier is
        # Platinum", "once you're Platinum": a progress or future word just before.
        between = [w.strip(".,;:!?\"()").lower() for w in status.group("between").split()]
        ahead = last_words(before[: status.start()], 1)
        return not (self._progress.isdisjoint(between)
                    and self._progress.isdisjoint(ahead) and self._future.isdisjoint(ahead))
