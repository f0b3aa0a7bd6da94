"""Consent shapes ranking: without profiling no member feature reaches the learner or the log and
the ranking follows policy value alone; without personalization the purchase history is withheld.
Either way the explanation says so."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from gateway.consent import Purpose
from gateway.decisioning import (
    ArbitrationPolicy,
    FeedbackEvent,
    FileModelStore,
    OfferScorer,
    Outcome,
    RedisDecisionLog,
    ScoringContext,
)
from gateway.decisioning.features import example
from gateway.decisioning.service import OfferService
from tests.decisioning.support import MARGINS, member_context, offer, refusing, train

CANDIDATES = [
    offer("OFR-1", category="COFFEE", discount=5),  # keeps the most margin
    offer("OFR-2", category="TEA", discount=10),
    offer("OFR-3", category="BREAD", discount=15),
]
NO_PROFILING = refusing(Purpose.PROFILING, because="global privacy control")
NO_PERSONALIZATION = refusing(Purpose.PERSONALIZATION, because="member opted out")


def scorer_that_learned_to_prefer_bread() -> OfferScorer:
    s = OfferScorer(policy=ArbitrationPolicy(epsilon=0.3), margins=MARGINS, seed=5)
    train(s, CANDIDATES, lambda ctx, o: o.category == "BREAD", rounds=400)
    return s


def first(s: OfferScorer, context: ScoringContext) -> str:
    return s.rank(context, CANDIDATES, policy=ArbitrationPolicy(epsilon=0.0)).offers[0].offer.offer_id


def test_without_profiling_the_context_keeps_the_moment_only() -> None:
    ctx = ScoringContext.from_member_context(member_context(CANDIDATES, consent=NO_PROFILING),
                                             channel="app", decision_id="d")  # fmt: skip
    assert (ctx.member_id, ctx.tier) == ("", "")
    assert (ctx.days_since_last_purchase, ctx.purchases_last_90_days) == (None, 0)
    assert dict(ctx.category_affinity) == {}
    assert (ctx.channel, ctx.hour) == ("app", 10)
    assert not ctx.profiled


def test_without_profiling_the_ranking_ignores_what_was_learned_and_says_why() -> None:
    s = scorer_that_learned_to_prefer_bread()
    allowed = ScoringContext.from_member_context(member_context(CANDIDATES), channel="app", decision_id="d")
    refused = ScoringContext.from_member_context(member_context(CANDIDATES, consent=NO_PROFILING),
                                                 channel="app", decision_id="d")  # fmt: skip
    assert first(s, allowed) == "OFR-3"  # learned
    assert first(s, refused) == "OFR-1"  # policy value net of the discount only
    ranking = s.rank(refused, CANDIDATES)
    assert all(o.explanation["profiling"] == "refused (global privacy control)" for o in ranking.offers)
    assert {o.explanation["acceptance"] for o in ranking.offers} == {ArbitrationPolicy().acceptance_prior}


def test_a_decision_made_without_profiling_is_never_learned_from() -> None:
    s = scorer_that_learned_to_prefer_bread()
    before, updates = s.snapshot(), s.updates
    ctx = ScoringContext.from_member_context(member_context(CANDIDATES, consent=NO_PROFILING),
                                             channel="app", decision_id="d-9")  # fmt: skip
    record = s.rank(ctx, CANDIDATES).record(ctx)
    assert record.chosen_offer_id is not None
    assert not s.learn(FeedbackEvent(record, record.chosen_offer_id, Outcome.REDEEMED))
    assert (s.updates, s.snapshot()) == (updates, before)


def test_without_personalization_the_history_never_reaches_the_learner() -> None:
    """Two members with different histories teach the model exactly the same thing."""
    learned = []
    for categories in (("COFFEE", "COFFEE", "TEA"), ("BREAD",)):
        s = OfferScorer(policy=ArbitrationPolicy(epsilon=0.3), margins=MARGINS, seed=5)
        for i in range(50):
            mc = member_context(CANDIDATES, consent=NO_PERSONALIZATION, categories=categories)
            ctx = ScoringContext.from_member_context(mc, channel="app", decision_id=f"d-{i}")
            record = s.rank(ctx, CANDIDATES).record(ctx)
            assert record.chosen_offer_id is not None
            assert s.learn(FeedbackEvent(record, record.chosen_offer_id, Outcome.REDEEMED))
        learned.append(s.snapshot())
    assert learned[0] == learned[1]


def test_without_personalization_the_example_reads_withheld_and_the_explanation_says_why() -> None:
    mc = member_context(CANDIDATES, consent=NO_PERSONALIZATION, categories=("COFFEE",))
    ctx = ScoringContext.from_member_context(mc, channel="app", decision_id="d")
    lines = example(ctx, CANDIDATES, MARGINS)
    assert "rec=withheld freq=withheld" in lines[0] and "tier=gold" in lines[0]
    assert all("aff=withheld" in line and "share:" not in line for line in lines[1:])
    scorer = OfferScorer(policy=ArbitrationPolicy(), margins=MARGINS)
    explanation = scorer.rank(ctx, CANDIDATES).offers[0].explanation
    assert explanation["personalization"] == "refused (member opted out)"
    assert "profiling" not in explanation


@pytest.mark.anyio
async def test_the_logged_decision_carries_no_member_feature_without_profiling(
    async_redis: aioredis.Redis, key_prefix: str, tmp_path: Path
) -> None:
    s = OfferScorer(policy=ArbitrationPolicy(), margins=MARGINS)
    service = OfferService(s, RedisDecisionLog(async_redis, prefix=key_prefix, ttl_s=60),
                           FileModelStore(tmp_path / "nbo"))
    mc = member_context(CANDIDATES, consent=NO_PROFILING, categories=("COFFEE", "TEA"))
    ranking = await service.rank(mc, channel="app", decision_id="dec-private")
    stored = await async_redis.get(f"{key_prefix}dec-private")
    assert isinstance(stored, bytes)
    raw = stored.decode()
    logged = json.loads(raw)["context"]
    assert logged["member_id"] == "" and logged["tier"] == ""
    assert logged["category_affinity"] == {} and logged["days_since_last_purchase"] is None
    assert "1453" not in raw and "Gold" not in raw
    assert logged["refused"] == {"profiling": "global privacy control"}
    result = await service.feedback("dec-private", ranking.offers[0].offer.offer_id, Outcome.REDEEMED)
    assert not result.learned and result.model_updates == 0
