"""Brand voice: banned wording, competitors, tone, claims to be human, length, AI disclosure."""

from __future__ import annotations

import re

from gateway.governance._facts import Finding, TurnFacts
from gateway.governance._normalise import Normalised, phrase_pattern
from gateway.policy.governance import BrandVoice, ChannelRules, Tone, ViolationCode


class BrandCheck:
    def __init__(self, brand: BrandVoice, channel: ChannelRules) -> None:
        self._banned = re.compile(phrase_pattern(brand.banned_phrases), re.IGNORECASE)
        self._hedge = re.compile(rf"(?:{phrase_pattern(brand.hedges)})\s+(?:\w+\s+)?$", re.IGNORECASE)
        exact = tuple(c.name for c in brand.competitors if c.match_case)
        loose = tuple(c.name for c in brand.competitors if not c.match_case)
        self._competitor_exact = re.compile(_exact_pattern(exact))
        self._competitor = re.compile(phrase_pattern(loose), re.IGNORECASE)
        self._tone = _tone_patterns(brand.tone)
        self._human = re.compile(phrase_pattern(brand.disclosure.human_claims), re.IGNORECASE)
        self._disclosures = tuple(p.lower() for p in brand.disclosure.phrases)
        self._channel = channel

    def findings(self, norm: Normalised, original: str, facts: TurnFacts) -> list[Finding]:
        text = norm.text
        # "We can't guarantee stock" is careful wording, not a guarantee.
        found = [_finding(norm, m, "banned_phrase", "is off-brand wording")
                 for m in self._banned.finditer(text)
                 if not self._hedge.search(text[max(0, m.start() - 30) : m.start()])]
        for pattern in (self._competitor, self._competitor_exact):
            found += [_finding(norm, m, "competitor", "names a competitor")
                      for m in pattern.finditer(text)]
        for pattern in self._tone:
            found += [_finding(norm, m, "tone", "is not the brand's tone")
                      for m in pattern.finditer(text)]
        found += [_finding(norm, m, "human_claim", "claims the assistant is a person")
                  for m in self._human.finditer(text)]
        return found + self._channel_rules(norm, original, facts)

    def _channel_rules(self, norm: Normalised, original: str, facts: TurnFacts) -> list[Finding]:
        found = []
        limit = self._channel.max_chars - facts.reserved_chars
        if len(original) > limit:
            found.append(Finding("too_long", limit, len(original),
                                 f"answer is {len(original) + facts.reserved_chars} characters; "
                                 f"the channel allows {self._channel.max_chars}"))
        lowered = norm.text.lower()
        if (self._channel.disclosure_required and not facts.disclosed
                and not any(p in lowered for p in self._disclosures)):
            found.append(Finding("missing_disclosure", 0, 0, "this channel must say the answer "
                                 "comes from an automated assistant"))
        return found


def _tone_patterns(tone: Tone) -> tuple[re.Pattern[str], ...]:
    word = r"[A-Z][A-Z']+"
    return (
        re.compile(phrase_pattern(tone.phrases), re.IGNORECASE),
        # Shouting: a run of upper-case words that ends in "!" ("CHECK THE APP!").
        re.compile(rf"\b(?:{word}[\s,]+){{{tone.shouting_min_words - 1},}}{word}\s*!"),
        re.compile(rf"!{{{tone.max_exclamation_marks + 1},}}"),
    )


def _exact_pattern(names: tuple[str, ...]) -> str:
    parts = [r"\b" + r"\s+".join(re.escape(w) for w in n.split()) + r"\b" for n in names]
    return "|".join(parts) if parts else r"(?!)"


def _finding(norm: Normalised, m: re.Match[str], code: ViolationCode, what: str) -> Finding:
    start, end = norm.original_span(*m.span())
    return Finding(code, start, end, f"'{m.group()}' {what}")
