"""Personal data in an answer: e-mail addresses, phone numbers, payment card numbers.

The gateway never reveals contact or card details from its stores; an answer
may repeat one only if the member typed it in this turn. Excerpts are masked
so that the verdict (which goes to the audit log) does not keep a copy.
"""

from __future__ import annotations

import re

from gateway.governance._facts import Finding, TurnFacts
from gateway.governance._normalise import Normalised
from gateway.governance._numbers import digits_only
from gateway.policy.governance import PiiRules, ViolationCode

_EMAIL = re.compile(r"[\w.+%-]+@[\w-]+(?:\.[\w-]+)+", re.ASCII)
# A run of digits with the separators people write between them.
_DIGIT_RUN = re.compile(r"(?<![\w-])\+?\d(?:[\s().-]{0,3}\d){6,22}(?![\w-])")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def pii_findings(norm: Normalised, facts: TurnFacts, rules: PiiRules) -> list[Finding]:
    text = norm.text
    given = facts.user_text
    findings: list[Finding] = []
    if rules.email:
        typed = {e.lower() for e in _EMAIL.findall(given)}
        for m in _EMAIL.finditer(text):
            if m.group().lower() not in typed:
                start, end = norm.original_span(*m.span())
                findings.append(Finding("pii_email", start, end, f"e-mail address "
                                        f"{mask(m.group())} was not given by the member"))
    typed_digits = [digits_only(m.group()) for m in _DIGIT_RUN.finditer(given)]
    typed_digits += [digits_only(n) for n in rules.public_numbers]
    for m in _DIGIT_RUN.finditer(text):
        finding = _number_finding(m, typed_digits, rules)
        if finding is not None:
            code, what = finding
            start, end = norm.original_span(*m.span())
            findings.append(Finding(code, start, end, f"{what} {mask(m.group())} was not "
                                    "given by the member"))
    return findings


def _number_finding(
    m: re.Match[str], typed: list[str], rules: PiiRules
) -> tuple[ViolationCode, str] | None:
    digits = digits_only(m.group())
    if _ISO_DATE.match(m.group().strip()):
        return None
    if rules.card and 13 <= len(digits) <= 19 and (_luhn(digits) or _grouped_card(m.group())):
        if not any(digits in t for t in typed):
            return "pii_card", "card number"
        return None
    if rules.phone and rules.phone_min_digits <= len(digits) <= 15:
        # "+1 (555) 123-4567" and "555 123 4567" are the same number.
        tail = digits[-rules.phone_min_digits :]
        if not any(tail in t for t in typed):
            return "pii_phone", "phone number"
    return None


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
