"""Personal data in an answer: e-mail addresses, phone numbers, payment card numbers.

The gateway never reveals contact or card details from its stores; an answer
may repeat one only if the member typed it in this turn. Hidden forms count:
"bob dot jones at yahoo dot com", "anna[at]example[.]org", a number spelt out
digit by digit. A long number labelled as something else ("UPC 0 41220 87654 3",
"order 1002345678") is not a phone number. Excerpts are masked so that the
verdict (which goes to the audit log) does not keep a copy.
"""

from __future__ import annotations

import re

from gateway.governance._facts import Finding, TurnFacts
from gateway.governance._normalise import Normalised, phrase_pattern
from gateway.governance._numbers import digits_only
from gateway.policy.governance import PiiRules, ViolationCode

_EMAIL = re.compile(r"[\w.+%-]+@[\w-]+(?:\.[\w-]+)+", re.ASCII)
_AT = r"(?:\s*@\s*|\s*[\[({]\s*at\s*[\])}]\s*|\s+at\s+)"
_DOT = r"(?:\s*\.\s*|\s*[\[({]\s*(?:dot|\.)\s*[\])}]\s*|\s+dot\s+)"
_HIDDEN_DOT = re.compile(r"[\[({]|\sdot\s", re.IGNORECASE)
_LOOSE_EMAIL = re.compile(
    rf"(?<![\w+.-])(?P<local>[\w+-]+(?:{_DOT}[\w+-]+)*)(?P<at>{_AT})(?P<domain>[\w-]+(?:{_DOT}[\w-]+)+)",
    re.IGNORECASE,
)
# A run of digits with the separators people write between them.
_DIGIT_RUN = re.compile(r"(?<![\w-])\+?\d(?:[\s().-]{0,3}\d){6,22}(?![\w-])")
_SPOKEN = re.compile(
    r"\b(?:(?:zero|oh|one|two|three|four|five|six|seven|eight|nine)\b[\s,.-]*){7,}", re.IGNORECASE
)
_SPOKEN_DIGIT = {"zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4",
                 "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9"}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class PiiCheck:
    def __init__(self, rules: PiiRules, top_level_domains: tuple[str, ...]) -> None:
        self._rules = rules
        self._tlds = frozenset(t.lower() for t in top_level_domains)
        self._label = re.compile(
            rf"(?:{phrase_pattern(rules.number_labels)})\W{{0,3}}(?:number|no\.?|#)?\W{{0,3}}$",
            re.IGNORECASE,
        )
        self._public = [digits_only(n) for n in rules.public_numbers]

    def findings(self, norm: Normalised, facts: TurnFacts) -> list[Finding]:
        found = self._emails(norm, facts) if self._rules.email else []
        typed = [digits_only(m.group()) for m in _DIGIT_RUN.finditer(facts.user_text)]
        typed += self._public
        for m in _DIGIT_RUN.finditer(norm.text):
            labelled = self._label.search(norm.text[max(0, m.start() - 24) : m.start()])
            found += self._number(norm, m, digits_only(m.group()), typed, labelled is not None)
        if self._rules.phone:
            for m in _SPOKEN.finditer(norm.text):
                spoken = "".join(_SPOKEN_DIGIT[w.lower()] for w in re.findall(r"[a-z]+", m.group(), re.I))
                found += self._number(norm, m, spoken, typed, labelled=False)
        return found

    def _emails(self, norm: Normalised, facts: TurnFacts) -> list[Finding]:
        typed = {e.lower() for e in _EMAIL.findall(facts.user_text)}
        found = []
        for m in _EMAIL.finditer(norm.text):
            if m.group().lower() not in typed:
                found.append(_finding(norm, m, "pii_email", f"e-mail address {mask(m.group())}"))
        return found + self._hidden_emails(norm, typed)

    def _hidden_emails(self, norm: Normalised, typed: set[str]) -> list[Finding]:
        found = []
        position = 0
        while (hidden := _LOOSE_EMAIL.search(norm.text, position)) is not None:
            address = self._hidden_address(hidden)
            if address is None:
                # "the member at bob dot jones at yahoo dot com": try a later start.
                position = hidden.start() + 1
                continue
            if address not in typed:
                found.append(_finding(norm, hidden, "pii_email", f"e-mail address {mask(address)}"))
            position = hidden.end()
        return found

    def _hidden_address(self, m: re.Match[str]) -> str | None:
        """The address a spelt-out e-mail stands for, or None if it is not one."""
        if "@" in m.group() and not any(c.isspace() for c in m.group()):
            return None  # an ordinary address: found by _EMAIL
        # "find us at completerewards.example" has a plain " at " and plain dots: not hidden.
        if m.group("at").strip() == "at" and not _HIDDEN_DOT.search(m.group("domain")):
            return None
        local = re.sub(_DOT, ".", m.group("local"), flags=re.IGNORECASE)
        domain = re.sub(_DOT, ".", m.group("domain"), flags=re.IGNORECASE).lower()
        return f"{local}@{domain}" if domain.rsplit(".", 1)[-1] in self._tlds else None

    def _number(
        self, norm: Normalised, m: re.Match[str], digits: str, typed: list[str], labelled: bool
    ) -> list[Finding]:
        kind = _number_kind(m.group(), digits, typed, self._rules, labelled)
        if kind is None:
            return []
        code, what = kind
        return [_finding(norm, m, code, f"{what} {mask(digits)}")]


def _number_kind(
    text: str, digits: str, typed: list[str], rules: PiiRules, labelled: bool
) -> tuple[ViolationCode, str] | None:
    if _ISO_DATE.match(text.strip()):
        return None
    if rules.card and 13 <= len(digits) <= 19 and (_luhn(digits) or _grouped_card(text)):
        return None if any(digits in t for t in typed) else ("pii_card", "card number")
    if rules.phone and not labelled and rules.phone_min_digits <= len(digits) <= 15:
        # "+1 (555) 123-4567" and "555 123 4567" are the same number.
        tail = digits[-rules.phone_min_digits :]
        return None if any(tail in t for t in typed) else ("pii_phone", "phone number")
    return None


def _finding(norm: Normalised, m: re.Match[str], code: ViolationCode, what: str) -> Finding:
    start, end = norm.original_span(*m.span())
    return Finding(code, start, end, f"{what} was not given by the member")


def _grouped_card(text: str) -> bool:
    return re.fullmatch(r"\d{4}(?:[ -]\d{4}){3}", text.strip()) is not None


def _luhn(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def mask(value: str) -> str:
    """Enough of a value to recognise it in a review, not enough to use it."""
    if "@" in value:
        local, _, domain = value.partition("@")
        return f"{local[:1]}***@{domain}"
    digits = digits_only(value)
    return f"***{digits[-4:]}" if len(digits) > 4 else "***"
