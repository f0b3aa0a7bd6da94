"""The governance gate's rules as data (policies/governance.yaml).

Every phrase list, grounding source, channel limit, fallback answer and
repair-or-replace decision lives in the YAML file; the code in
`gateway/governance/` only knows how to apply them. Unknown keys are errors
(see `StrictModel`), so a misspelt rule fails at load instead of silently
switching a check off.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal, get_args

from pydantic import Field, field_validator, model_validator

from gateway.policy.yamlfile import StrictModel, content_version, load_model
from gateway.turn import Channel

ViolationCode = Literal[
    "unknown_offer",
    "ungrounded_discount",
    "ungrounded_money",
    "ungrounded_points",
    "ungrounded_tier",
    "tier_grant",
    "ungrounded_expiry",
    "discount_code",
    "pii_email",
    "pii_phone",
    "pii_card",
    "banned_phrase",
    "competitor",
    "link_not_allowed",
    "too_long",
    "missing_disclosure",
    "gate_error",
]
VIOLATION_CODES: tuple[ViolationCode, ...] = get_args(ViolationCode)

# Which member facts an answer may state as numbers. Anything else is ungrounded.
MoneyFact = Literal["spend_to_next_tier", "annual_spend", "recent_purchase_amounts"]
PointsFact = Literal["points", "points_expiring"]
DateFact = Literal["points_expire_on", "offer_valid_until"]
RepairAction = Literal["repair", "replace"]

# A phrase must contain something to match; a blank one would match everywhere.
Phrase = Annotated[str, Field(min_length=1, pattern=r"\S")]
Phrases = tuple[Phrase, ...]


class ClaimRules(StrictModel):
    """What turns words into an offer claim, and what makes a claim grounded."""

    discount_words: Phrases = Field(min_length=1)
    offer_phrases: Phrases = Field(min_length=1)
    benign_phrases: Phrases = ()
    benign_percent_context: Phrases = ()
    never_expire_phrases: Phrases = Field(min_length=1)
    expiry_words: Phrases = Field(min_length=1)
    code_words: Phrases = Field(min_length=1)
    tier_names: Phrases = Field(min_length=1)
    grant_phrases: Phrases = Field(min_length=1)
    status_phrases: Phrases = Field(min_length=1)
    progress_words: Phrases = ()
    negations: Phrases = ()
    # Words that may stand between a negation and what it negates ("isn't really free").
    negation_fillers: Phrases = ()
    allowed_statements: Phrases = ()
    grounded_money: tuple[MoneyFact, ...] = ()
    grounded_points: tuple[PointsFact, ...] = ()
    grounded_dates: tuple[DateFact, ...] = ()
    context_words: int = Field(default=3, ge=1, le=8)


class Competitor(StrictModel):
    name: str = Field(min_length=2)
    # Names that are also common words ("Target") only count when capitalised.
    match_case: bool = False


class Disclosure(StrictModel):
    phrases: Phrases = Field(min_length=1)  # any one of them satisfies the rule
    prefix: str = Field(min_length=1)  # prepended when an answer lacks a disclosure


class BrandVoice(StrictModel):
    banned_phrases: Phrases = ()
    competitors: tuple[Competitor, ...] = ()
    disclosure: Disclosure


class PiiRules(StrictModel):
    email: bool = True
    phone: bool = True
    card: bool = True
    phone_min_digits: int = Field(default=10, ge=7, le=15)
    # The brand's own public numbers (service line, pharmacy) may always be given.
    public_numbers: tuple[str, ...] = ()


class LinkRules(StrictModel):
    allowed_hosts: tuple[str, ...] = ()
    top_level_domains: tuple[str, ...] = Field(min_length=1)


class ChannelRules(StrictModel):
    max_chars: int = Field(gt=40)
    disclosure_required: bool = False
    fallback: str = Field(min_length=1)


class RepairRules(StrictModel):
    actions: dict[ViolationCode, RepairAction]
    min_remaining_chars: int = Field(default=20, ge=0)

    @field_validator("actions")
    @classmethod
    def _every_code_has_an_action(
        cls, actions: dict[ViolationCode, RepairAction]
    ) -> dict[ViolationCode, RepairAction]:
        missing = [c for c in VIOLATION_CODES if c not in actions]
        if missing:
            raise ValueError(f"no repair action for: {', '.join(missing)}")
        if actions["gate_error"] != "replace":
            raise ValueError("gate_error must be 'replace': a failed check never passes text")
        return actions


class GovernancePolicy(StrictModel):
    claims: ClaimRules
    brand: BrandVoice
    pii: PiiRules
    links: LinkRules
    channels: dict[Channel, ChannelRules]
    repair: RepairRules

    @model_validator(mode="after")
    def _channels_complete(self) -> GovernancePolicy:
        missing = [c.value for c in Channel if c not in self.channels]
        if missing:
            raise ValueError(f"no channel rules for: {', '.join(missing)}")
        for channel, rules in self.channels.items():
            if rules.disclosure_required and not self.discloses(rules.fallback):
                raise ValueError(f"the {channel.value} fallback lacks the required disclosure")
            if len(rules.fallback) > rules.max_chars:
                raise ValueError(f"the {channel.value} fallback is longer than max_chars")
        return self

    def discloses(self, text: str) -> bool:
        lowered = text.lower()
        return any(p.lower() in lowered for p in self.brand.disclosure.phrases)


def load_governance_policy(path: Path) -> tuple[GovernancePolicy, str]:
    """Load and validate the governance policy; the version is the file's content hash."""
    policy, text = load_model(path, GovernancePolicy)
    return policy, content_version(text)
