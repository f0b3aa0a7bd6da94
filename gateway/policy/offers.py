"""The offer policy as data (`policies/offers.yaml`): which offers may be shown, together,
where and how often.

    load_offer_policy(path) -> (OfferPolicy, file text)

Sections, each checked by `gateway.offers.PolicyOfferDecider` after the program's
tier and margin rules:

    eligibility   member's days active, departments and categories never promoted
    inventory     minimum stock of the offer's category at the member's store
    promotions    conflicts with the store's in-store promotions, and the kinds that stack
    stacking      offers per answer and offer types that never appear together
    frequency     impressions per offer per rolling window, offers per member per day
    arbitration   how the eligible offers are ranked (`gateway.decisioning`): exploration,
                  rewards, context weights, category levers, how the discount's cost to
                  margin counts; read by the scorer on every ranking, so a reload changes
                  the next ranking while what the model learned stays

Department and category names are the data set's own, compared ignoring case, so
"Spirits" cannot silently fail to exclude "SPIRITS".
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from gateway.policy.yamlfile import StrictModel, content_version, load_model

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
PromotionKind = Literal["display", "mailer"]
# The values of `gateway.decisioning.Outcome` (a test keeps the two the same).
OutcomeName = Literal["redeemed", "clicked", "dismissed", "ignored"]
_REWARDS: dict[OutcomeName, float] = {"redeemed": 1.0, "clicked": 0.1, "dismissed": 0.0, "ignored": 0.0}
Weight = Annotated[float, Field(ge=0, le=100)]


class EligibilityRules(StrictModel):
    min_days_active: int = Field(ge=0)
    excluded_departments: tuple[Name, ...] = ()
    excluded_categories: tuple[Name, ...] = ()

    def excludes_department(self, department: str) -> bool:
        return _folded(department) in {_folded(d) for d in self.excluded_departments}

    def excludes_category(self, category: str) -> bool:
        return _folded(category) in {_folded(c) for c in self.excluded_categories}


class InventoryRules(StrictModel):
    """An offer needs `min_units` of its category in stock at the member's store."""

    min_units: int = Field(ge=1)
    # A category the store has never sold: its offer is refused, or let through.
    not_carried: Literal["ineligible", "eligible"]


class PromotionRules(StrictModel):
    """An offer conflicts with an active in-store promotion at the member's store on the
    same products (`match: product`) or the same category (`match: category`), unless
    that promotion's kind is in `stacks_with`."""

    match: Literal["product", "category"]
    stacks_with: tuple[PromotionKind, ...] = ()


class StackingRules(StrictModel):
    """Never two offers on one category in an answer (not configurable: that is the rule)."""

    max_offers_per_answer: int = Field(ge=1, le=20)
    # Pairs of offer types (the campaign type of the offer) never shown in one answer.
    never_combined: tuple[tuple[Name, Name], ...] = ()

    def combine(self, first_type: str, second_type: str) -> bool:
        pair = {_folded(first_type), _folded(second_type)}
        return all({_folded(a), _folded(b)} != pair for a, b in self.never_combined)


class FrequencyRules(StrictModel):
    """Counted per member in Redis; the window is in whole (UTC) days, today included."""

    window_days: int = Field(ge=1, le=90)
    max_impressions_per_offer: int = Field(ge=1)
    max_offers_per_day: int = Field(ge=1)


class LearnerSettings(StrictModel):
    """How a new online model learns (Vowpal Wabbit options). A saved model keeps the
    options it was built with: these apply when the gateway starts without one."""

    learning_rate: float = Field(default=1.0, gt=0, le=10)
    # 0 keeps the step size constant, so the model keeps tracking preferences that
    # drift; VW's default (0.5) would slowly freeze it.
    power_t: float = Field(default=0.0, ge=0, le=1)
    bits: int = Field(default=18, ge=10, le=28)
    # Namespaces: U member and moment, A affinity for the offer's category, O the offer.
    interactions: tuple[Literal["UO", "AO", "UA"], ...] = ("UO", "AO")


class MarginAwareness(StrictModel):
    """How the discount's cost to margin counts in an offer's value.

    value = gross margin − discount_cost_weight × discount (shares of the list price,
    never below 0). 1.0 counts every point of discount as a point of margin given away;
    0 ranks by gross margin alone, as if discounts were free."""

    discount_cost_weight: float = Field(default=1.0, ge=0, le=5)


class ArbitrationPolicy(StrictModel):
    """score = acceptance × value net of the discount × context weight × lever (Pega's
    propensity × value × context weight × levers, margin-aware)."""

    outcome_rewards: dict[OutcomeName, float] = Field(default_factory=lambda: dict(_REWARDS))
    # The acceptance assumed before anything is learned (and learned around).
    acceptance_prior: float = Field(default=0.05, gt=0, le=1)
    acceptance_floor: float = Field(default=0.001, gt=0, le=1)
    # Chance that the first offer is drawn at random instead of the best score.
    epsilon: float = Field(default=0.05, ge=0, le=1)
    channel_weights: dict[Name, Weight] = Field(default_factory=dict)
    default_context_weight: Weight = 1.0
    # Business levers per category (Pega's "L"): 1.0 is neutral, 0 never ranks first.
    category_levers: dict[Name, Weight] = Field(default_factory=dict)
    margin: MarginAwareness = Field(default_factory=MarginAwareness)
    learner: LearnerSettings = Field(default_factory=LearnerSettings)

    @model_validator(mode="after")
    def _floor_below_prior(self) -> ArbitrationPolicy:
        if self.acceptance_floor > self.acceptance_prior:
            raise ValueError("acceptance_floor must not be above acceptance_prior")
        if any(r < -1 or r > 10 for r in self.outcome_rewards.values()):
            raise ValueError("outcome_rewards must lie between -1 and 10")
        return self

    @property
    def version(self) -> str:
        return content_version(self.model_dump_json())

    def reward(self, outcome: str) -> float:
        return next((r for name, r in self.outcome_rewards.items() if name == outcome), 0.0)

    def context_weight(self, channel: str, category: str) -> float:
        weight = self.channel_weights.get(channel, self.default_context_weight)
        return weight * self.category_levers.get(category, 1.0)


class OfferPolicy(StrictModel):
    eligibility: EligibilityRules
    inventory: InventoryRules
    promotions: PromotionRules
    stacking: StackingRules
    frequency: FrequencyRules
    # Absent: the defaults above (the shipped file writes every lever out).
    arbitration: ArbitrationPolicy = Field(default_factory=ArbitrationPolicy)

    @model_validator(mode="after")
    def _daily_cap_allows_an_answer(self) -> OfferPolicy:
        # A daily cap below the per-answer maximum is allowed but then the answer limit is
        # dead text; refuse it so the file says what actually applies.
        if self.frequency.max_offers_per_day < self.stacking.max_offers_per_answer:
            raise ValueError(
                "frequency.max_offers_per_day must be at least stacking.max_offers_per_answer"
            )
        return self


def load_offer_policy(path: Path) -> tuple[OfferPolicy, str]:
    """Parse and validate `path`; a typo fails as `ConfigError` naming file and line."""
    return load_model(path, OfferPolicy)


def _folded(name: str) -> str:
    return " ".join(name.split()).casefold()
