"""The input rails as validated data (policies/input_rails.yaml).

Every pattern, decoding table, threshold and the block-or-flag decision of each
finding code lives in the YAML file; `gateway/rails/` only knows how to apply
them. Patterns are regular expressions, compiled here once to refuse a broken
one at load (with the file and line of that very pattern), and compiled again
by the screen that uses them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from gateway.policy.yamlfile import StrictModel, load_model

RailAction = Literal["flag", "block"]
Role = Literal["user", "assistant"]

# Codes the screen derives itself rather than from one rule's patterns.
DERIVED_CODES = (
    "other_member_id",  # a member id that is not the asking member's
    "encoded_instructions",  # an attack that only shows after decoding or de-obfuscation
    "encoded_payload",  # a base64/hex/percent blob that decodes to readable text
    "obfuscation",  # words mixing scripts (homoglyphs), or invisible characters
    "multi_turn",  # an attack that only shows across several user messages
    "similar_to_attack",  # close, in embedding space, to a known attack
)
# Flags the screen writes for the audit; a code with either name would be ambiguous.
RESERVED_CODES = frozenset({"blocked", "flagged"})


def _compiles(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as e:
        raise ValueError(f"not a valid regular expression ({e})") from e
    return pattern


def _member_pattern(pattern: str) -> str:
    if "id" not in re.compile(pattern).groupindex:
        raise ValueError("a member reference pattern needs a named group (?P<id>...)")
    return pattern


Pattern = Annotated[str, Field(min_length=1), AfterValidator(_compiles)]
MemberPattern = Annotated[Pattern, AfterValidator(_member_pattern)]
Code = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]


class PatternRule(StrictModel):
    """One finding code and the patterns that raise it (any one is enough)."""

    patterns: tuple[Pattern, ...] = Field(min_length=1)
    roles: frozenset[Role] = frozenset({"user"})
    case_sensitive: bool = False


class Combination(StrictModel):
    """Findings that are harmless alone but an attack together raise `then`."""

    when: frozenset[Code] = Field(min_length=2)
    then: Code


class Decoding(StrictModel):
    """How hidden text is decoded or de-obfuscated before it is screened again."""

    min_base64_chars: int = Field(ge=8)
    min_hex_bytes: int = Field(ge=4)
    min_printable_share: float = Field(gt=0, le=1)
    min_reversed_letters: int = Field(ge=1)
    max_depth: int = Field(ge=1, le=3)
    # Each symbol maps to the letters it may stand for; the first is tried first.
    leetspeak: dict[Annotated[str, Field(min_length=1, max_length=1)], Annotated[str, Field(min_length=1)]]
    homoglyphs: dict[Annotated[str, Field(min_length=1, max_length=1)], Annotated[str, Field(min_length=1)]]
    # Letters-only phrases, matched in the text with everything but letters removed.
    compact_phrases: dict[Code, tuple[Annotated[str, Field(pattern=r"^[a-z]{8,}$")], ...]]


class MultiTurn(StrictModel):
    window: int = Field(ge=1)  # how many recent user messages are screened together
    min_flagged_messages: int = Field(ge=2)  # this many flagged messages escalate to `multi_turn`


class Similarity(StrictModel):
    """Embedding similarity to known attacks; used only when the screen has an embedder."""

    threshold: float = Field(gt=0, le=1)
    exemplars: tuple[Annotated[str, Field(min_length=1)], ...] = Field(min_length=1)


class InputRailsPolicy(StrictModel):
    actions: dict[Code, RailAction]
    rules: dict[Code, PatternRule]
    member_references: tuple[MemberPattern, ...] = Field(min_length=1)
    combinations: tuple[Combination, ...] = ()
    decoding: Decoding
    multi_turn: MultiTurn
    similarity: Similarity
    max_excerpt_chars: int = Field(ge=10)

    @model_validator(mode="after")
    def _every_code_has_one_action(self) -> InputRailsPolicy:
        codes = set(self.rules) | set(DERIVED_CODES) | {c.then for c in self.combinations}
        codes |= set(self.decoding.compact_phrases)
        undefined = sorted({c for combo in self.combinations for c in combo.when} - codes)
        if undefined:
            raise ValueError(f"combinations: {', '.join(undefined)} is not a rule or derived code")
        missing = sorted(codes - set(self.actions))
        unknown = sorted(set(self.actions) - codes)
        reserved = sorted(codes & RESERVED_CODES)
        if missing:
            raise ValueError(f"actions: no action (flag or block) for {', '.join(missing)}")
        if unknown:
            raise ValueError(f"actions: {', '.join(unknown)} is not a rule or derived code")
        if reserved:
            raise ValueError(f"{', '.join(reserved)} is reserved and cannot be a finding code")
        return self

    def action_of(self, code: str) -> RailAction:
        return self.actions[code]


def load_input_rails_policy(path: Path) -> tuple[InputRailsPolicy, str]:
    """Parse and validate the rails file; returns the policy and the file's text (for versioning)."""
    return load_model(path, InputRailsPolicy)
