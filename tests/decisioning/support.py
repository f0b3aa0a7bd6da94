"""Small builders shared by the decisioning tests: margins, offers, contexts, a feedback loop."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from gateway.decisioning import FeedbackEvent, OfferScorer, Outcome, ScoringContext
from gateway.policy.program import MarginPolicy
from gateway.turn import Offer

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
