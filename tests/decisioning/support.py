"""Small builders shared by the decisioning tests: margins, offers, contexts, a feedback loop."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime

from gateway.consent import ConsentDecision, Purpose
from gateway.decisioning import FeedbackEvent, OfferScorer, Outcome, ScoringContext
from gateway.policy.program import MarginPolicy
from gateway.turn import Member, MemberContext, Offer, Purchase, RequestMetadata

REDIS_URL = "redis://127.0.0.1:6379/8"  # this package's own test database

# GROCERY keeps 30% before a discount, PRODUCE 40%; unlisted departments 22%.
MARGINS = MarginPolicy(
    assumption="test margins",
    min_margin_after_discount_pct=8,
    default_gross_margin_pct=22,
    departments={"GROCERY": 30, "PRODUCE": 40},
)


def offer(
    offer_id: str, *, category: str = "COFFEE", department: str = "GROCERY", discount: int = 10
) -> Offer:
    return Offer(offer_id, f"{discount}% off {category.lower()}", department, category, discount,
                 "Bronze", date(2099, 1, 1))  # fmt: skip


def same_value_offers(n: int) -> list[Offer]:
    """Offers that differ only by id and category, so only learning can tell them apart."""
    return [offer(f"OFR-{i}", category=f"CATEGORY {i}") for i in range(n)]


def context(
    decision_id: str, *, channel: str = "app", affinity: dict[str, float] | None = None
) -> ScoringContext:
    return ScoringContext(
        decision_id=decision_id, member_id="1453", tier="Gold", channel=channel, hour=10,
        days_since_last_purchase=3, purchases_last_90_days=9, category_affinity=affinity or {},
    )  # fmt: skip


def train(
    scorer: OfferScorer,
    offers: Sequence[Offer],
    redeems: Callable[[ScoringContext, Offer], bool],
    *,
    rounds: int,
    contexts: Callable[[int], ScoringContext] = lambda i: context(f"train-{i}"),
) -> None:
    """Rank, show the first offer, and feed back what the member did with it."""
    for i in range(rounds):
        ctx = contexts(i)
        ranking = scorer.rank(ctx, offers)
        chosen = ranking.offers[0].offer
        outcome = Outcome.REDEEMED if redeems(ctx, chosen) else Outcome.DISMISSED
        scorer.learn(FeedbackEvent(ranking.record(ctx), chosen.offer_id, outcome))


def refusing(*purposes: Purpose, because: str = "member opted out") -> ConsentDecision:
    return ConsentDecision(
        allowed=frozenset(Purpose) - set(purposes), refused_because={p: because for p in purposes}
    )


def member_context(
    offers: Sequence[Offer], *, consent: ConsentDecision | None = None,
    categories: Sequence[str] = ("COFFEE",),
) -> MemberContext:
    """Member 1453 (Gold) with recent purchases in `categories`, at 10:00 on 2026-11-23."""
    member = Member("1453", "Gold", 1200, 0, date(2026, 12, 1), 3000.0, "Platinum", 2000.0, "367")
    purchases = tuple(
        Purchase(date(2026, 11, 20 - i), "p", "GROCERY", category, 1, 3.5, "367")
        for i, category in enumerate(categories)
    )
    now = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    context = MemberContext(member, purchases, tuple(offers), None, RequestMetadata(), now)
    return context if consent is None else replace(context, consent=consent)
