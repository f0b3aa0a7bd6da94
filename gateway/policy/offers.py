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

Department and category names are the data set's own, compared ignoring case, so
"Spirits" cannot silently fail to exclude "SPIRITS".
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from gateway.policy.yamlfile import StrictModel, load_model

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
PromotionKind = Literal["display", "mailer"]


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


class OfferPolicy(StrictModel):
    eligibility: EligibilityRules
    inventory: InventoryRules
    promotions: PromotionRules
    stacking: StackingRules
    frequency: FrequencyRules

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
