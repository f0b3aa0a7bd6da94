"""Expiry claims: points or offers that never expire, expire later, or on another date.

"Never expire" phrases count on their own. "Forever" and "extended" count only in
a sentence about points, offers or expiry ("bags for life" is a product), and an
expiry word followed by a date claims that date, which grounding checks against
the member's real expiry and offer dates.
"""

from __future__ import annotations

import re

from gateway.governance._claim_types import Claim, Wording, sentence_around, sentences
from gateway.governance._dates import find_date
from gateway.governance._normalise import phrase_pattern
from gateway.policy.governance import ClaimRules

_I = re.IGNORECASE

_SENTENCE_END = re.compile(r"[.!?](?=\s)|\n")


class ExpiryClaims:
    def __init__(self, rules: ClaimRules, wording: Wording) -> None:
        self._never = re.compile(phrase_pattern(rules.never_expire_phrases), _I)
        self._lifted = re.compile(phrase_pattern(rules.forever_words + rules.extension_words), _I)
        self._subject = re.compile(phrase_pattern(rules.expiry_subjects), _I)
        self._expiry = re.compile(phrase_pattern(rules.expiry_words), _I)
        self._wording = wording

    def find(self, text: str) -> list[Claim]:
        found = [Claim("never_expires", *m.span()) for m in self._never.finditer(text)
                 if not self._wording.negated(text, m.start())]
        found += self._lifted_claims(text)
        for m in self._expiry.finditer(text):
            # Only a date in the same sentence counts: "Points expire. On May 5 we..."
            following = _SENTENCE_END.split(text[m.end() : m.end() + 60], maxsplit=1)[0]
            dated = find_date(following)
            if dated is not None and self._about_expiry(text, m.start(), m.end()):
                found.append(Claim("expiry_date", m.start(), m.end() + dated[1], date=dated[0]))
        return found

    def _lifted_claims(self, text: str) -> list[Claim]:
        found = []
        for start, end in sentences(text):
            if not self._subject.search(text, start, end):
                continue
            found += [Claim("never_expires", *m.span())
                      for m in self._lifted.finditer(text, start, end)
                      if not self._wording.negated(text, m.start())]
        return found

    def _about_expiry(self, text: str, start: int, end: int) -> bool:
        # "Your points expire on May 5" is a claim; "the class ends at 7 tonight" is not.
        first, last = sentence_around(text, start, end)
        return self._subject.search(text, first, last) is not None
