"""Which of a member's targeted offers may be shown to them today: a pure function.

An offer is eligible only when every rule holds; the first rule that fails is its
reason code (checked in this order):

    expired            valid_until is before today
    unknown_tier       the offer's or the member's tier is not in the program (fail closed)
    tier_too_low       the member's tier ranks below the offer's min_tier
    over_tier_limit    the discount is above the member tier's max_discount_pct
    over_margin_floor  the discount is above what the department's margin floor allows

The seed already caps discounts, but policies can change after seeding, so the
gate re-checks against the policies loaded now.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum

from gateway.policy.program import MarginPolicy, ProgramPolicy
from gateway.turn import Member, Offer


class Ineligibility(StrEnum):
    EXPIRED = "expired"
    UNKNOWN_TIER = "unknown_tier"
    TIER_TOO_LOW = "tier_too_low"
    OVER_TIER_LIMIT = "over_tier_limit"
    OVER_MARGIN_FLOOR = "over_margin_floor"


def explain_ineligible(
    offer: Offer,
    member: Member,
    *,
    program: ProgramPolicy,
    margins: MarginPolicy,
    today: date,
) -> Ineligibility | None:
    """The reason code why `member` may not get `offer` today, or None when they may."""
    if offer.valid_until < today:
        return Ineligibility.EXPIRED
    tiers = {t.name: (rank, t) for rank, t in enumerate(program.tiers)}
    if member.tier not in tiers or offer.min_tier not in tiers:
        return Ineligibility.UNKNOWN_TIER
    member_rank, member_tier = tiers[member.tier]
    if member_rank < tiers[offer.min_tier][0]:
        return Ineligibility.TIER_TOO_LOW
    if offer.discount_pct > member_tier.max_discount_pct:
        return Ineligibility.OVER_TIER_LIMIT
    if offer.discount_pct > margins.max_discount_pct(offer.department):
        return Ineligibility.OVER_MARGIN_FLOOR
    return None


def eligible_offers(
    offers: Iterable[Offer],
    member: Member,
    *,
    program: ProgramPolicy,
    margins: MarginPolicy,
    today: date,
) -> tuple[Offer, ...]:
    """The offers `member` may get today, largest discount first, then by offer id."""
    kept = (
        offer
        for offer in offers
        if explain_ineligible(offer, member, program=program, margins=margins, today=today) is None
    )
    return tuple(sorted(kept, key=lambda o: (-o.discount_pct, o.offer_id)))
