"""The client summary an associate's tablet shows: built from the member's facts, pure.

Only the facts the policy lists (`clienteling.facts` in policies/program.yaml) are
used, and the summary type has no field for anything else: no points balance, no
spend figure (a number a bystander should not read off a shop-floor screen, and one
the associate has no need of to serve the member), no contact or card details, no
age or income band. The member id is masked to its last two characters.

The offer is written as a marker (`[[offer:ID]]`): the governance gate renders its
approved terms, exactly as in a chat answer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from gateway.policy.offers import EligibilityRules
from gateway.policy.program import ClientelingRule
from gateway.turn import Member, Offer, Purchase

_UNLISTED = "Unlisted item"


@dataclass(frozen=True)
class ClientSummary:
    member_ref: str  # masked member id
    tier: str | None
    interests: tuple[str, ...]
    suggested_item: str | None
    offer: Offer | None

    def draft(self, max_chars: int) -> str:
        """The summary as text with the offer as a marker. Measured as shown (offer terms
        rendered), it fits `max_chars`: the suggested item goes first, then the interests,
        then the offer; the member and tier always stay."""
        parts = {"head": f"Member {self.member_ref}" + (f", {self.tier} tier." if self.tier else ".")}
        if self.interests:
            parts["interests"] = "Recent interests: " + ", ".join(self.interests) + "."
        if self.suggested_item:
            parts["item"] = f"Buys again and again: {self.suggested_item}."
        if self.offer:
            parts["offer"] = f"Offer to mention: [[offer:{self.offer.offer_id}]]"
        for dropped in ("item", "interests", "offer"):
            if self._shown_length(parts) <= max_chars:
                break
            parts.pop(dropped, None)
        return " ".join(parts.values())

    def _shown_length(self, parts: dict[str, str]) -> int:
        text = " ".join(parts.values())
        if self.offer is not None and "offer" in parts:
            text = text.replace(f"[[offer:{self.offer.offer_id}]]", self.offer.render())
        return len(text)

    def facts(self) -> dict[str, object]:
        """What the summary shows, as data (for the notification and the audit)."""
        return {
            "member_ref": self.member_ref,
            "tier": self.tier,
            "interests": list(self.interests),
            "suggested_item": self.suggested_item,
            "offer_id": self.offer.offer_id if self.offer else None,
        }


def mask_member_id(member_id: str) -> str:
    """`"…53"` for `"1453"`: enough to tell two members apart at one store, not to look one up."""
    return "…" + member_id[-2:] if len(member_id) > 2 else "…"


def build_summary(
    member: Member,
    *,
    rule: ClientelingRule,
    purchases: Sequence[Purchase],
    live_categories: Sequence[str],
    offers: Sequence[Offer],
    not_suggested: EligibilityRules,
) -> ClientSummary:
    """`live_categories`: categories bought since the last seed (hot profile), newest first;
    `not_suggested`: departments and categories never suggested (the offer policy's exclusions)."""
    shows = set(rule.facts)
    return ClientSummary(
        member_ref=mask_member_id(member.member_id),
        tier=member.tier if "tier" in shows else None,
        interests=interests(live_categories, purchases, rule.interests, not_suggested) if "interests" in shows
        else (),
        suggested_item=suggested_item(purchases, not_suggested) if "suggested_item" in shows else None,
        offer=offers[0] if offers and "offer" in shows else None,
    )


def interests(
    live_categories: Sequence[str], purchases: Sequence[Purchase], count: int, not_suggested: EligibilityRules
) -> tuple[str, ...]:
    """The newest categories first: what was just bought, then the purchase history. Categories
    the program never promotes (alcohol, tobacco, ...) are not talked about on the shop floor."""
    names = [*live_categories, *(p.category for p in purchases
                                 if not not_suggested.excludes_department(p.department))]
    kept = (n for n in names if n and n.upper() != "UNKNOWN" and not not_suggested.excludes_category(n))
    return tuple(dict.fromkeys(n.lower() for n in kept))[:count]


def suggested_item(purchases: Sequence[Purchase], not_suggested: EligibilityRules) -> str | None:
    """The product the member bought most often lately (the most recent wins a tie)."""
    allowed = [
        p for p in purchases
        if p.product != _UNLISTED
        and not not_suggested.excludes_department(p.department)
        and not not_suggested.excludes_category(p.category)
    ]
    if not allowed:
        return None
    counts = Counter(p.product for p in allowed)
    best = max(allowed, key=lambda p: counts[p.product])  # max keeps the first (newest) of equals
    return f"{best.product}, {best.category.lower()}"
