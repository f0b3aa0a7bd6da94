"""The rails policy compiled once: one regular expression per finding code.

Each rule's patterns are joined into a single alternation, so a view of a
message costs one search per code however many patterns the file lists.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from gateway.policy.input_rails import InputRailsPolicy, PatternRule, Role
from gateway.rails._text import compact


@dataclass(frozen=True)
class Hit:
    code: str
    excerpt: str


@dataclass(frozen=True)
class _Compiled:
    code: str
    regex: re.Pattern[str]
    roles: frozenset[Role]


class RuleBook:
    def __init__(self, policy: InputRailsPolicy) -> None:
        self._rules = tuple(_compile(code, rule) for code, rule in policy.rules.items())
        self._member_refs = tuple(re.compile(p, re.IGNORECASE) for p in policy.member_references)
        self._compact = tuple(
            (code, phrase) for code, phrases in policy.decoding.compact_phrases.items() for phrase in phrases
        )

    def hits(self, text: str, role: Role, member_id: str) -> Iterator[Hit]:
        """Every code whose patterns match `text`, with the first matching excerpt."""
        for rule in self._rules:
            if role in rule.roles:
                m = rule.regex.search(text)
                if m is not None:
                    yield Hit(rule.code, m.group())
        if role == "user":
            yield from self._other_members(text, member_id)
        letters = compact(text)
        for code, phrase in self._compact:
            if phrase in letters:
                yield Hit(code, phrase)

    def _other_members(self, text: str, member_id: str) -> Iterator[Hit]:
        own = member_id.lstrip("0")
        for regex in self._member_refs:
            for m in regex.finditer(text):
                if m.group("id").lstrip("0") != own:
                    yield Hit("other_member_id", m.group())
                    return


def _compile(code: str, rule: PatternRule) -> _Compiled:
    # MULTILINE: a fake "System:" header counts at the start of any line, not only the first.
    flags = re.MULTILINE if rule.case_sensitive else re.MULTILINE | re.IGNORECASE
    joined = "|".join(f"(?:{p})" for p in rule.patterns)
    return _Compiled(code, re.compile(joined, flags), rule.roles)
