"""Discount codes: the gateway issues none, so any code an answer hands out is invented.

Three shapes: a code word and its code ("promo code SAVE20", "your code is 4X9K2");
a verb and a code-like token ("use VIP90", "say 'HAPPY50'"); and a code-like token
anywhere in a sentence that speaks of a code or of paying ("show this code at the
till: VIP-2YZ", "at checkout, key in FRESH30").
A qualifier turns the code word into something else ("zip code 60614", "QR code").
"""

from __future__ import annotations

import re

from gateway.governance._claim_types import Claim, sentences
from gateway.governance._normalise import phrase_pattern
from gateway.policy.governance import ClaimRules

_I = re.IGNORECASE

_BARE_CODE = re.compile(
    r"\b(?i:use|enter|apply|redeem|type|quote|say|mention|show|key\s+in|punch\s+in|input)\s+[\"']?"
    r"(?P<code>[A-Z][A-Z0-9-]*\d[A-Z0-9-]*)\b"
)
# Upper-case letters (two or more) and digits, at least four characters: "VIP-2YZ",
# "SAVE10"; not a member number such as "M-1001".
_TOKEN = re.compile(r"\b(?=[A-Z0-9-]*\d)(?=(?:[A-Z0-9-]*[A-Z]){2})[A-Z0-9][A-Z0-9-]{3,}\b")


class CodeClaims:
    def __init__(self, rules: ClaimRules) -> None:
        words = phrase_pattern(rules.code_words)
        self._code = re.compile(
            rf"(?:{words})\s*(?:(?:is|was)\s+|[:#=]\s*)?[\"']?"
            r"(?P<code>[A-Za-z0-9][A-Za-z0-9_-]{2,})",
            _I,
        )
        self._word = re.compile(phrase_pattern(rules.code_words + rules.code_contexts), _I)
        self._qualifier = re.compile(rf"(?:{phrase_pattern(rules.code_qualifiers)})\W*$", _I)

    def find(self, text: str) -> list[Claim]:
        found = []
        for m in self._code.finditer(text):
            code = m.group("code")
            if self._qualified(text, m.start()):
                continue
            if any(c.isdigit() for c in code) or (code.isupper() and len(code) >= 4):
                found.append(Claim("code", *m.span()))
        found += [Claim("code", *m.span()) for m in _BARE_CODE.finditer(text)
                  if len(m.group("code")) >= 4]
        return found + self._tokens_near_code_words(text)

    def _tokens_near_code_words(self, text: str) -> list[Claim]:
        found = []
        for start, end in sentences(text):
            words = [w for w in self._word.finditer(text, start, end)
                     if not self._qualified(text, w.start())]
            if words:
                found += [Claim("code", *t.span()) for t in _TOKEN.finditer(text, start, end)]
        return found

    def _qualified(self, text: str, start: int) -> bool:
        return self._qualifier.search(text[max(0, start - 24) : start]) is not None
