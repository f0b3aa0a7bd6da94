"""What a check needs to know about the turn, and what it reports.

`TurnFacts` is built once per turn from the member's context: the numbers,
dates and names an answer may state because they are true of this member,
the approved offer wording the gateway itself rendered, what the member
typed (personal data they gave may be repeated back to them), and whether
the AI disclosure is taken care of (an earlier answer gave it, or the gate
prepends it to this one, using `reserved_chars` of the channel's length).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from gateway.governance._normalise import normalise
from gateway.policy.governance import ClaimRules, ViolationCode
from gateway.turn import Channel, MemberContext

# The policy section each violation comes from, for the verdict and the audit.
SECTION: dict[ViolationCode, str] = {
    "unknown_offer": "governance/offers",
    "ungrounded_discount": "governance/claims",
    "ungrounded_money": "governance/claims",
    "ungrounded_points": "governance/claims",
    "ungrounded_tier": "governance/claims",
    "tier_grant": "governance/claims",
    "ungrounded_expiry": "governance/claims",
    "discount_code": "governance/claims",
    "pii_email": "governance/pii",
    "pii_phone": "governance/pii",
    "pii_card": "governance/pii",
    "banned_phrase": "governance/brand",
    "competitor": "governance/brand",
    "link_not_allowed": "governance/links",
    "image_not_allowed": "governance/links",
    "tone": "governance/brand",
    "human_claim": "governance/brand",
    "medical_advice": "governance/advice",
    "legal_advice": "governance/advice",
    "financial_advice": "governance/advice",
    "too_long": "governance/channels",
    "missing_disclosure": "governance/brand",
    "gate_error": "governance/gate",
    "semantic_claim": "governance/semantic",
}


@dataclass(frozen=True)
class Finding:
    """One rule broken by one span of the checked text (original indices)."""

    code: ViolationCode
    start: int
    end: int
    message: str


@dataclass(frozen=True)
class OfferTerms:
    discount_pct: int
    words: frozenset[str]  # lower-case words of its title and category


@dataclass(frozen=True)
class PurchaseTerms:
    amount: float
    words: frozenset[str]  # lower-case words of the product and its category


@dataclass(frozen=True)
class TurnFacts:
    channel: Channel
    tier: str
    next_tier: str | None
    points: frozenset[int]
    money: tuple[float, ...]
    dates: frozenset[date]
    today: date
    offers: tuple[OfferTerms, ...]
    approved_texts: tuple[str, ...]  # normalised Offer.render() of every candidate offer
    user_text: str  # normalised
    offer_ids: frozenset[str] = frozenset()
    # A purchase amount is a fact only where the sentence names what was bought.
    purchases: tuple[PurchaseTerms, ...] = ()
    disclosed: bool = False  # the AI disclosure is given elsewhere in the conversation
    reserved_chars: int = 0  # what the gate will prepend, out of the channel's length

    @classmethod
    def build(
        cls, context: MemberContext, channel: Channel, user_text: str, rules: ClaimRules,
        *, disclosed: bool = False, reserved_chars: int = 0,
    ) -> TurnFacts:
        member = context.member
        points = {"points": member.points, "points_expiring": member.points_expiring}
        money: list[float] = []
        if "spend_to_next_tier" in rules.grounded_money and member.next_tier:
            money.append(member.spend_to_next_tier)
        if "annual_spend" in rules.grounded_money:
            money.append(member.annual_spend)
        purchases: tuple[PurchaseTerms, ...] = ()
        if "recent_purchase_amounts" in rules.grounded_money:
            purchases = tuple(PurchaseTerms(p.amount, _words(f"{p.product} {p.category}"))
                              for p in context.recent_purchases)
        dates: set[date] = set()
        if "points_expire_on" in rules.grounded_dates and member.points_expiring:
            dates.add(member.points_expire_on)
        if "offer_valid_until" in rules.grounded_dates:
            dates.update(o.valid_until for o in context.offers)
        return cls(
            channel=channel,
            tier=member.tier,
            next_tier=member.next_tier,
            points=frozenset(points[name] for name in rules.grounded_points),
            money=tuple(money),
            dates=frozenset(dates),
            today=context.now.date(),
            offers=tuple(
                OfferTerms(o.discount_pct, _words(f"{o.title} {o.category}"))
                for o in context.offers
            ),
            approved_texts=tuple(normalise(o.render()).text for o in context.offers),
            user_text=normalise(user_text).text,
            offer_ids=frozenset(o.offer_id for o in context.offers),
            purchases=purchases,
            disclosed=disclosed,
            reserved_chars=reserved_chars,
        )


# Words that appear in offer titles and product names but name nothing in particular.
_FILLER = frozenset(
    {"and", "the", "for", "off", "all", "any", "you", "your", "our", "with", "from", "deal",
     "offer", "save", "week", "only", "each", "pack", "size", "count", "plus", "products",
     "product", "misc", "other", "item", "items", "new", "reg", "regular"}
)


def no_facts(channel: Channel, today: date) -> TurnFacts:
    """Facts of nobody: text checked against them must hold no member-specific claim."""
    return TurnFacts(channel, "", None, frozenset(), (), frozenset(), today, (), (), "")


def _words(text: str) -> frozenset[str]:
    words = "".join(c if c.isalnum() else " " for c in text.lower()).split()
    return frozenset(w for w in words if len(w) > 2 and w not in _FILLER)
