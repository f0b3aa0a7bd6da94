"""The offer policy's checks as pure functions over facts already read for this turn.

Reason codes, in the order they are checked (the first that fails is the reason):

    (program and margins, `eligibility.py`)
    expired, unknown_tier, tier_too_low, over_tier_limit, over_margin_floor
    (offer policy, on the offer alone)
    excluded_department      its department is never promoted
    excluded_category        its category is never promoted
    (offer policy, on facts read from the stores)
    unknown_offer            not in the offer catalog (fail closed)
    not_yet_valid            before the offer's first valid day
    member_too_new           the member's first purchase is too recent (or unknown)
    not_carried              the store never sold the category (when the policy says so)
    out_of_stock             0 units of the category at the store
    low_stock                fewer units than the policy's minimum
    conflicts_with_promotion an in-store promotion of a kind that does not stack
    frequency_cap            the offer's impressions in the window reached the cap
    (stacking, best offer first)
    same_category            an offer on the same category is already in the answer
    never_combined           its type never appears with a type already in the answer
    stacking_limit           the answer already holds the maximum number of offers
    daily_cap                the member was shown the day's maximum of distinct offers
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from gateway.offers.caps import CapUsage
from gateway.offers.facts import OfferTerms, Promotion
from gateway.policy.offers import OfferPolicy
from gateway.turn import Offer


class Reason(StrEnum):
    EXPIRED = "expired"
    UNKNOWN_TIER = "unknown_tier"
    TIER_TOO_LOW = "tier_too_low"
    OVER_TIER_LIMIT = "over_tier_limit"
    OVER_MARGIN_FLOOR = "over_margin_floor"
    EXCLUDED_DEPARTMENT = "excluded_department"
    EXCLUDED_CATEGORY = "excluded_category"
    UNKNOWN_OFFER = "unknown_offer"
    NOT_YET_VALID = "not_yet_valid"
    MEMBER_TOO_NEW = "member_too_new"
    NOT_CARRIED = "not_carried"
    OUT_OF_STOCK = "out_of_stock"
    LOW_STOCK = "low_stock"
    CONFLICTS_WITH_PROMOTION = "conflicts_with_promotion"
    FREQUENCY_CAP = "frequency_cap"
    SAME_CATEGORY = "same_category"
    NEVER_COMBINED = "never_combined"
    STACKING_LIMIT = "stacking_limit"
    DAILY_CAP = "daily_cap"


Rejection = tuple[str, Reason]


@dataclass(frozen=True)
class TurnFacts:
    """Everything the stores said for one turn."""

    terms: Mapping[str, OfferTerms]
    member_since: date | None
    stock: Mapping[str, int | None] | None  # None: no store known, so stock is not checked
    promotions: Mapping[str, tuple[Promotion, ...]]  # per offer id, the promotions touching it
    usage: CapUsage


def excluded(offer: Offer, policy: OfferPolicy) -> Reason | None:
    rules = policy.eligibility
    if rules.excludes_department(offer.department):
        return Reason.EXCLUDED_DEPARTMENT
    if rules.excludes_category(offer.category):
        return Reason.EXCLUDED_CATEGORY
    return None


def fact_reason(offer: Offer, facts: TurnFacts, policy: OfferPolicy, today: date) -> Reason | None:
    for check in (_terms_reason, _member_reason, _stock_reason, _promotion_reason, _cap_reason):
        reason = check(offer, facts, policy, today)
        if reason is not None:
            return reason
    return None


def _terms_reason(offer: Offer, facts: TurnFacts, policy: OfferPolicy, today: date) -> Reason | None:
    terms = facts.terms.get(offer.offer_id)
    if terms is None:
        return Reason.UNKNOWN_OFFER
    return Reason.NOT_YET_VALID if today < terms.valid_from else None


def _member_reason(offer: Offer, facts: TurnFacts, policy: OfferPolicy, today: date) -> Reason | None:
    since = facts.member_since
    if since is None or (today - since).days < policy.eligibility.min_days_active:
        return Reason.MEMBER_TOO_NEW
    return None


def _stock_reason(offer: Offer, facts: TurnFacts, policy: OfferPolicy, today: date) -> Reason | None:
    if facts.stock is None:
        return None
    units = facts.stock.get(offer.category)
    if units is None:
        return Reason.NOT_CARRIED if policy.inventory.not_carried == "ineligible" else None
    if units <= 0:
        return Reason.OUT_OF_STOCK
    return Reason.LOW_STOCK if units < policy.inventory.min_units else None


def _promotion_reason(offer: Offer, facts: TurnFacts, policy: OfferPolicy, today: date) -> Reason | None:
    stacks_with = set(policy.promotions.stacks_with)
    running = (p for p in facts.promotions.get(offer.offer_id, ()) if p.active_on(today))
    if any(p.kind not in stacks_with for p in running):
        return Reason.CONFLICTS_WITH_PROMOTION
    return None


def _cap_reason(offer: Offer, facts: TurnFacts, policy: OfferPolicy, today: date) -> Reason | None:
    if facts.usage.impressions.get(offer.offer_id, 0) >= policy.frequency.max_impressions_per_offer:
        return Reason.FREQUENCY_CAP
    return None


def promotions_by_category(
    offers: Iterable[Offer], promotions: Sequence[Promotion]
) -> dict[str, tuple[Promotion, ...]]:
    """Per offer id, the promotions on the offer's category (the `match: category` rule)."""
    by_category: dict[str, list[Promotion]] = {}
    for promotion in promotions:
        by_category.setdefault(_folded(promotion.category), []).append(promotion)
    found = {o.offer_id: tuple(by_category.get(_folded(o.category), ())) for o in offers}
    return {offer_id: hits for offer_id, hits in found.items() if hits}


def best_first(offers: Iterable[Offer]) -> list[Offer]:
    """Largest discount first, then by offer id (the order answers list offers in)."""
    return sorted(offers, key=lambda o: (-o.discount_pct, o.offer_id))


def stack(
    ranked: Sequence[Offer], facts: TurnFacts, policy: OfferPolicy
) -> tuple[tuple[Offer, ...], tuple[Rejection, ...]]:
    """Take offers in order while the answer stays stack-safe and within the daily cap."""
    chosen: list[Offer] = []
    rejected: list[Rejection] = []
    shown_today = set(facts.usage.shown_today)
    for offer in ranked:
        reason = _stack_reason(offer, chosen, shown_today, facts, policy)
        if reason is None:
            chosen.append(offer)
            shown_today.add(offer.offer_id)
        else:
            rejected.append((offer.offer_id, reason))
    return tuple(chosen), tuple(rejected)


def _stack_reason(
    offer: Offer, chosen: Sequence[Offer], shown_today: set[str], facts: TurnFacts, policy: OfferPolicy
) -> Reason | None:
    if any(_folded(c.category) == _folded(offer.category) for c in chosen):
        return Reason.SAME_CATEGORY
    own_type = facts.terms[offer.offer_id].offer_type
    if any(not policy.stacking.combine(own_type, facts.terms[c.offer_id].offer_type) for c in chosen):
        return Reason.NEVER_COMBINED
    if len(chosen) >= policy.stacking.max_offers_per_answer:
        return Reason.STACKING_LIMIT
    if offer.offer_id not in shown_today and len(shown_today) >= policy.frequency.max_offers_per_day:
        return Reason.DAILY_CAP
    return None


def _folded(name: str) -> str:
    return " ".join(name.split()).casefold()
