"""Builders shared by the governance tests: a real member context and a check helper.

The member (unless a test builds another) is a Gold member with 1,250 points,
300 of them expiring on 2026-12-01, $412.37 from Platinum, who spent
$3,100.00 this year and last bought milk for $3.49. Their candidate offers are
OFR-1 (Dairy Days, 20% off yogurt) and OFR-2 (Snack Attack, 15% off chips).
OFR-777 is another member's offer.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from gateway.governance import Gate
from gateway.turn import (
    Channel,
    Member,
    MemberContext,
    Offer,
    Purchase,
    RequestMetadata,
    StoreInfo,
    Verdict,
)

POLICY_PATH = Path(__file__).parents[2] / "policies" / "governance.yaml"

DAIRY_DAYS = Offer("OFR-1", "Dairy Days", "DAIRY", "Yogurt", 20, "Gold", date(2026, 12, 31))
SNACK_ATTACK = Offer("OFR-2", "Snack Attack", "GROCERY", "Chips", 15, "Silver", date(2026, 11, 30))
OTHER_MEMBERS_OFFER = Offer("OFR-777", "Steak Night", "MEAT", "Beef", 30, "Platinum",
                            date(2026, 12, 15))


def make_context(
    offers: tuple[Offer, ...] = (DAIRY_DAYS, SNACK_ATTACK), **member: Any
) -> MemberContext:
    fields: dict[str, Any] = {
        "member_id": "M-1001", "tier": "Gold", "points": 1250, "points_expiring": 300,
        "points_expire_on": date(2026, 12, 1), "annual_spend": 3100.0, "next_tier": "Platinum",
        "spend_to_next_tier": 412.37, "home_store_id": "S-1",
    }
    fields.update(member)
    milk = Purchase(date(2026, 10, 28), "Whole milk 1 gal", "DAIRY", "Milk", 1, 3.49, "S-1")
    return MemberContext(
        member=Member(**fields),
        recent_purchases=(milk,),
        offers=offers,
        store=StoreInfo("S-1", "Main Street", "8:00-21:00"),
        metadata=RequestMetadata(store_id="S-1"),
        now=datetime(2026, 11, 1, 15, 0, tzinfo=UTC),
    )


async def check(
    gate: Gate,
    text: str,
    context: MemberContext | None = None,
    channel: Channel = Channel.APP,
    user_text: str = "What deals do I have?",
) -> Verdict:
    return await gate.check(text, context or make_context(), channel, user_text=user_text)


def codes(verdict: Verdict) -> set[str]:
    return {v.code for v in verdict.violations}
