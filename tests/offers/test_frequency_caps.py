"""Frequency caps: impressions per offer in a rolling window and offers per day, counted
per member in a real Redis (database 10)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest
import redis.asyncio as redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from gateway.exceptions import StoreError
from gateway.offers import FrequencyCaps

from .shop import TODAY, Shop, offer_policy

pytestmark = pytest.mark.anyio

TWICE_A_WEEK = offer_policy(frequency={"window_days": 7, "max_impressions_per_offer": 2})


def at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


async def test_the_third_impression_in_the_window_is_capped(shop: Shop, client: redis.Redis) -> None:
    member, cheese, bread = shop.member(), shop.offer("CHEESE"), shop.offer("BREAD")
    async with shop.decider(client, TWICE_A_WEEK) as decider:
        await decider.record_shown(member.member_id, [cheese.offer_id], now=at(TODAY - timedelta(days=6)))
        second = await decider.candidates(member, (cheese, bread), store_id="10", today=TODAY)
        assert second.offers == (cheese, bread)
        await decider.record_shown(member.member_id, [cheese.offer_id], now=at(TODAY))
        third = await decider.candidates(member, (cheese, bread), store_id="10", today=TODAY)
    assert third.offers == (bread,)
    assert third.rejected == ((cheese.offer_id, "frequency_cap"),)


async def test_impressions_older_than_the_window_no_longer_count(shop: Shop, client: redis.Redis) -> None:
    member, cheese = shop.member(), shop.offer("CHEESE")
    async with shop.decider(client, TWICE_A_WEEK) as decider:
        for days_ago in (7, 8):  # the 7-day window is today and the 6 days before
            shown = at(TODAY - timedelta(days=days_ago))
            await decider.record_shown(member.member_id, [cheese.offer_id], now=shown)
        assert (await decider.candidates(member, (cheese,), store_id="10", today=TODAY)).offers == (cheese,)
        tomorrow = TODAY + timedelta(days=1)
        await decider.record_shown(member.member_id, [cheese.offer_id], now=at(TODAY))
        await decider.record_shown(member.member_id, [cheese.offer_id], now=at(tomorrow))
        capped = await decider.candidates(member, (cheese,), store_id="10", today=tomorrow)
    assert capped.rejected == ((cheese.offer_id, "frequency_cap"),)


async def test_a_new_offer_beyond_the_daily_cap_waits_but_todays_offers_may_repeat(
    shop: Shop, client: redis.Redis
) -> None:
    member = shop.member()
    seen_a, seen_b = shop.offer("A", discount=5), shop.offer("B", discount=5)
    new = shop.offer("C", discount=15)
    policy = offer_policy(stacking={"max_offers_per_answer": 2}, frequency={"max_offers_per_day": 2})
    async with shop.decider(client, policy) as decider:
        await decider.record_shown(member.member_id, [seen_a.offer_id, seen_b.offer_id], now=at(TODAY))
        today = await decider.candidates(member, (seen_a, seen_b, new), store_id="10", today=TODAY)
        tomorrow = await decider.candidates(
            member, (seen_a, seen_b, new), store_id="10", today=TODAY + timedelta(days=1)
        )
    assert today.offers == (seen_a, seen_b)
    assert today.rejected == ((new.offer_id, "daily_cap"),)
    assert tomorrow.offers == (new, seen_a)


async def test_an_offer_named_twice_in_one_answer_is_one_impression(shop: Shop, client: redis.Redis) -> None:
    member, cheese = shop.member(), shop.offer("CHEESE")
    caps = FrequencyCaps(client)
    await caps.record(member.member_id, [cheese.offer_id, cheese.offer_id], day=TODAY, window_days=7)
    await caps.record(member.member_id, [], day=TODAY, window_days=7)
    usage = await caps.usage(member.member_id, TODAY, window_days=7)
    assert usage.impressions == {cheese.offer_id: 1}
    assert usage.shown_today == frozenset({cheese.offer_id})


async def test_impressions_are_counted_on_the_utc_day(shop: Shop, client: redis.Redis) -> None:
    member, cheese = shop.member(), shop.offer("CHEESE")
    # 01:30 on the 24th at UTC+5 is 20:30 UTC on the 23rd.
    late_evening_utc = datetime(2026, 11, 24, 1, 30, tzinfo=timezone(timedelta(hours=5)))
    async with shop.decider(client) as decider:
        await decider.record_shown(member.member_id, [cheese.offer_id], now=late_evening_utc)
    usage = await FrequencyCaps(client).usage(member.member_id, TODAY, window_days=1)
    assert usage.shown_today == frozenset({cheese.offer_id})


async def test_counts_live_under_the_cap_prefix_and_expire_a_day_after_the_window(
    shop: Shop, client: redis.Redis
) -> None:
    member, cheese = shop.member(), shop.offer("CHEESE")
    async with shop.decider(client, TWICE_A_WEEK) as decider:
        await decider.record_shown(member.member_id, [cheese.offer_id], now=at(TODAY))
    key = f"lg:cap:v1:{member.member_id}:{TODAY.isoformat()}"
    assert await client.hgetall(key) == {cheese.offer_id.encode(): b"1"}
    assert 7 * 86_400 < await client.ttl(key) <= 8 * 86_400


async def test_forgetting_a_member_deletes_only_their_counts(shop: Shop, client: redis.Redis) -> None:
    member, other, cheese = shop.member(), shop.member(), shop.offer("CHEESE")
    caps = FrequencyCaps(client)
    for who in (member, other):
        for day in (TODAY, TODAY - timedelta(days=1)):
            await caps.record(who.member_id, [cheese.offer_id], day=day, window_days=7)
    assert await caps.forget(member.member_id) == 2
    assert (await caps.usage(member.member_id, TODAY, window_days=7)).impressions == {}
    assert (await caps.usage(other.member_id, TODAY, window_days=7)).impressions == {cheese.offer_id: 2}
    assert await caps.forget("no-such-member*") == 0


async def test_redis_failures_are_store_errors(shop: Shop) -> None:
    member, cheese = shop.member(), shop.offer("CHEESE")
    unreachable = redis.Redis(host="127.0.0.1", port=1, retry=Retry(NoBackoff(), retries=0))
    try:
        async with shop.decider(unreachable) as decider:
            with pytest.raises(StoreError, match="frequency caps: read failed") as caught:
                await decider.candidates(member, (cheese,), store_id="10", today=TODAY)
            assert isinstance(caught.value.__cause__, redis.RedisError)
            with pytest.raises(StoreError, match="frequency caps: write failed"):
                await decider.record_shown(member.member_id, [cheese.offer_id], now=at(TODAY))
    finally:
        await unreachable.aclose()
