"""The scorer survives a restart, in a file or in Redis; decisions wait in Redis for their feedback."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis
import redis.asyncio as aioredis

from gateway.decisioning import (
    ArbitrationPolicy,
    FeedbackEvent,
    FileModelStore,
    OfferScorer,
    Outcome,
    RedisDecisionLog,
    RedisModelStore,
)
from gateway.decisioning.bandit import _MAGIC
from gateway.exceptions import ModelError
from tests.decisioning.support import MARGINS, REDIS_URL, context, same_value_offers, train

POLICY = ArbitrationPolicy(epsilon=0.2)


def trained_scorer() -> OfferScorer:
    s = OfferScorer(policy=POLICY, margins=MARGINS, seed=3)
    train(s, same_value_offers(6), lambda ctx, o: o.offer_id in {"OFR-2", "OFR-5"}, rounds=300)
    return s


def choices(s: OfferScorer, n: int = 200) -> list[tuple[str, float, float]]:
    offers = same_value_offers(6)
    return [
        (first.offer.offer_id, first.probability, round(first.score, 9))
        for first in (s.rank(context(f"after-{i}"), offers).offers[0] for i in range(n))
    ]


def test_a_restart_keeps_what_was_learned(tmp_path: Path) -> None:
    before = trained_scorer()
    store = FileModelStore(tmp_path / "models" / "offers.nbo")
    before.save(store)
    after = OfferScorer.load(store, policy=POLICY, margins=MARGINS)
    assert after.updates == before.updates == 300
    assert after.seed == before.seed
    assert choices(after) == choices(before)


def test_learning_goes_on_after_a_restart_as_if_there_had_been_none(tmp_path: Path) -> None:
    kept, restarted = trained_scorer(), trained_scorer()
    store = FileModelStore(tmp_path / "offers.nbo")
    restarted.save(store)
    restarted = OfferScorer.load(store, policy=POLICY, margins=MARGINS)
    for s in (kept, restarted):
        train(s, same_value_offers(6), lambda ctx, o: o.offer_id == "OFR-1", rounds=100,
              contexts=lambda i: context(f"more-{i}"))  # fmt: skip
    assert choices(restarted) == choices(kept)


def test_the_model_can_be_kept_in_redis(key_prefix: str) -> None:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        store = RedisModelStore(client, key=f"{key_prefix}model")
        assert store.read() is None
        before = trained_scorer()
        before.save(store)
        after = OfferScorer.load(store, policy=POLICY, margins=MARGINS)
        assert choices(after) == choices(before)
    finally:
        client.close()


def test_an_empty_store_gives_a_fresh_scorer_with_the_seed_asked_for(tmp_path: Path) -> None:
    s = OfferScorer.load(FileModelStore(tmp_path / "none.nbo"), policy=POLICY, margins=MARGINS, seed=11)
    assert (s.updates, s.seed) == (0, 11)


def test_arbitration_weights_come_from_the_policy_in_force_not_from_the_snapshot() -> None:
    data = trained_scorer().snapshot()
    levered = ArbitrationPolicy(epsilon=0.0, category_levers={"CATEGORY 2": 0.0, "CATEGORY 5": 0.0})
    after = OfferScorer.restore(data, policy=levered, margins=MARGINS)
    assert after.rank(context("x"), same_value_offers(6)).offers[0].offer.offer_id not in {"OFR-2", "OFR-5"}


def test_a_snapshot_built_on_other_features_is_refused() -> None:
    data = trained_scorer().snapshot()
    stale = data.replace(b"nbo-features-1", b"nbo-features-0")
    with pytest.raises(ModelError) as refused:
        OfferScorer.restore(stale, policy=POLICY, margins=MARGINS)
    assert refused.value.code == "bandit_model_stale"


@pytest.mark.parametrize("data", [b"", b"not a snapshot", _MAGIC + b"\x00\x00\x00\x02{}garbage"])
def test_anything_but_a_snapshot_is_refused_as_a_model_error(data: bytes) -> None:
    with pytest.raises(ModelError):
        OfferScorer.restore(data, policy=POLICY, margins=MARGINS)


@pytest.mark.anyio
async def test_a_decision_waits_in_redis_for_its_feedback(
    async_redis: aioredis.Redis, key_prefix: str
) -> None:
    s = trained_scorer()
    ctx = context("dec-redis", affinity={"CATEGORY 2": 0.4})
    record = s.rank(ctx, same_value_offers(6)).record(ctx)
    log = RedisDecisionLog(async_redis, prefix=key_prefix, ttl_s=60)
    await log.put(record)
    assert await log.get("dec-redis") == record
    assert await log.get("dec-unknown") is None
    assert 0 < await async_redis.ttl(f"{key_prefix}dec-redis") <= 60
    assert record.chosen_offer_id is not None
    assert s.learn(FeedbackEvent(record, record.chosen_offer_id, Outcome.REDEEMED))
