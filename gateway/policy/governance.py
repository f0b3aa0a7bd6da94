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
    "image_not_allowed",
    "tone",
    "human_claim",
    "medical_advice",
    "legal_advice",
    "financial_advice",
    "too_long",
    "missing_disclosure",
    "gate_error",
    "semantic_claim",
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


class CommitmentWords(StrictModel):
    """The words of the commitment shapes (gateway/governance/_commitments.py)."""

    # "won't cost", "without paying": a negation, up to three words, a cost verb.
    cost_negations: Phrases = Field(min_length=1)
    cost_verbs: Phrases = Field(min_length=1)
    zero_cost_phrases: Phrases = ()  # "nothing to pay", "covered by us"
    # In the same sentence, these make a zero-cost statement ordinary ("free to join").
    zero_cost_benign: Phrases = ()
    cut_verbs: Phrases = Field(min_length=1)  # "knock", "take", "shave": with "off"
    price_nouns: Phrases = Field(min_length=1)  # "off the total", "off your basket"
    comparative_prices: Phrases = ()  # "cheaper", "a lower price": when said to the member
    beneficiaries: Phrases = ()  # "you", "your", "members"
    price_verbs: Phrases = ()  # "runs", "rings up": with a number, a price
    multipliers: Phrases = ()  # "double", "triple", "twice": before a reward noun
    multiplied_after: Phrases = ()  # "count double": after a reward noun, same sentence
    reward_nouns: Phrases = ()
    tier_change_words: Phrases = ()  # "now", "as of", "welcome aboard": with a tier name
    tier_progress_words: Phrases = ()  # "to reach", "away from": the tier is still ahead
    expiry_lift_actions: Phrases = ()  # "turned off", "pushed back", "extended"
    expiry_concepts: Phrases = ()  # "end date", "cut-off": after a negation ("no cut-off")
    expiry_outlast: Phrases = ()  # "stick around", "roll over", "as long as you like"


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
    # Before a status phrase, these make it a condition, not a statement ("once you're Gold").
    future_words: Phrases = ()
    negations: Phrases = ()
    # Words that may stand between a negation and what it negates ("isn't really free").
    negation_fillers: Phrases = ()
    allowed_statements: Phrases = ()
    # Statistics, not deals, when they follow a percentage directly ("98% of reviewers").
    benign_percent_after: Phrases = ()
    # A number after one of these is a discount ("discounted by 20", "slashed by a third").
    discount_verbs: Phrases = ()
    # A word that claims the program's expiry is lifted, and the things it may be said of:
    # "forever", "extended" only count in a sentence about points, offers or expiry.
    forever_words: Phrases = ()
    extension_words: Phrases = ()
    expiry_subjects: Phrases = ()
    # Before a code word, these make it an ordinary code ("zip code 60614").
    code_qualifiers: Phrases = ()
    # Like code words for a code-like token in the same sentence ("key in FRESH30 at checkout").
    code_contexts: Phrases = ()
    # Verbs that hand out points when a number follows them in a sentence about points.
    points_grant_verbs: Phrases = ()
    grounded_money: tuple[MoneyFact, ...] = ()
    grounded_points: tuple[PointsFact, ...] = ()
    grounded_dates: tuple[DateFact, ...] = ()
    context_words: int = Field(default=3, ge=1, le=8)
    commitments: CommitmentWords


class Competitor(StrictModel):
    name: str = Field(min_length=2)
    # Names that are also common words ("Target") only count when capitalised.
    match_case: bool = False


class Disclosure(StrictModel):
    phrases: Phrases = Field(min_length=1)  # any one of them satisfies the rule
    prefix: str = Field(min_length=1)  # prepended when an answer lacks a disclosure
    # The gate prepends `prefix` itself, as it renders offer markers: an answer without
    # a disclosure is then not a violation, and needs no repair.
    added_by_gate: bool = True
    # Once an earlier answer of the conversation disclosed, later answers need not.
    once_per_conversation: bool = True
    # Claims to be a person: always a violation, whatever the channel.
    human_claims: Phrases = ()


class Tone(StrictModel):
    phrases: Phrases = ()  # dismissive or condescending wording
    # A run of this many upper-case words that ends in "!" is shouting.
    shouting_min_words: int = Field(default=3, ge=2)
    max_exclamation_marks: int = Field(default=1, ge=1)  # in a row


class BrandVoice(StrictModel):
    banned_phrases: Phrases = ()
    hedges: Phrases = ()
    competitors: tuple[Competitor, ...] = ()
    tone: Tone = Tone()
    disclosure: Disclosure


class VerbObject(StrictModel):
    """Advice when one of `objects` follows one of `verbs` within `within_words` words."""

    verbs: Phrases = Field(min_length=1)
    objects: Phrases = Field(min_length=1)
    within_words: int = Field(default=4, ge=0, le=8)


class AdviceTopic(StrictModel):
    """Advice we never give: phrases, verbs with their objects, and the ordinary
    wording that overlaps them without being advice ("treat yourself to a cold drink")."""

    phrases: Phrases = ()
    pairs: tuple[VerbObject, ...] = ()
    not_advice: Phrases = ()


class AdviceRules(StrictModel):
    medical: AdviceTopic = AdviceTopic()
    legal: AdviceTopic = AdviceTopic()
    financial: AdviceTopic = AdviceTopic()


class PiiRules(StrictModel):
    email: bool = True
    phone: bool = True
    card: bool = True
    phone_min_digits: int = Field(default=10, ge=7, le=15)
    # The brand's own public numbers (service line, pharmacy) may always be given.
    public_numbers: tuple[str, ...] = ()
    # A long number right after one of these labels is not a phone number ("UPC 0 41220...").
    number_labels: Phrases = ()


class LinkRules(StrictModel):
    # Links and images may point here (and to subdomains); nothing else is shown.
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


class SemanticRules(StrictModel):
    """The learned second check (gateway/governance/_semantic.py), when a trained one is loaded."""

    enabled: bool = True  # off: the gate ignores a loaded classifier (no retraining needed)
    # None: the threshold chosen at training time (the model card's).
    threshold: float | None = Field(default=None, gt=0.0, lt=1.0)


class GovernancePolicy(StrictModel):
    claims: ClaimRules
    brand: BrandVoice
    advice: AdviceRules = AdviceRules()
    pii: PiiRules
    links: LinkRules
    channels: dict[Channel, ChannelRules]
    repair: RepairRules
    semantic: SemanticRules = SemanticRules()

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
