"""An offer never doubles an in-store promotion running at the member's store this week,
unless the policy lets that kind of promotion stack."""

from __future__ import annotations

from datetime import timedelta

import pytest
import redis.asyncio as redis

from .shop import STORE, TODAY, Shop, offer_policy

pytestmark = pytest.mark.anyio


async def test_offer_on_a_product_in_this_weeks_mailer_conflicts(shop: Shop, client: redis.Redis) -> None:
    member, cheese = shop.member(), shop.offer("CHEESE")
    shop.promote(cheese, "mailer")
    decision = await shop.decide(client, member, [cheese])
    assert decision.offers == ()
    assert decision.rejected == ((cheese.offer_id, "conflicts_with_promotion"),)


async def test_offer_on_a_category_promoted_in_store_this_week_conflicts(
    shop: Shop, client: redis.Redis
) -> None:
    member, cheese = shop.member(), shop.offer("CHEESE")
    shop.promote(cheese, "mailer", same_product=False)  # another cheese, not the offer's own
    by_category = offer_policy(promotions={"match": "category"})
    assert (await shop.decide(client, member, [cheese], by_category)).rejected == (
        (cheese.offer_id, "conflicts_with_promotion"),
    )
    by_product = offer_policy(promotions={"match": "product"})
    assert (await shop.decide(client, member, [cheese], by_product)).offers == (cheese,)


async def test_a_promotion_kind_the_policy_lets_stack_is_no_conflict(shop: Shop, client: redis.Redis) -> None:
    member, cheese, bread = shop.member(), shop.offer("CHEESE"), shop.offer("BREAD")
    shop.promote(cheese, "display")
    shop.promote(bread, "mailer")
    policy = offer_policy(promotions={"stacks_with": ["display"]})
    decision = await shop.decide(client, member, [cheese, bread], policy)
    assert decision.offers == (cheese,)
    assert decision.rejected == ((bread.offer_id, "conflicts_with_promotion"),)


@pytest.mark.parametrize("match", ["product", "category"])
async def test_only_promotions_running_today_at_the_members_store_count(
    shop: Shop, client: redis.Redis, match: str
) -> None:
    member, cheese = shop.member(), shop.offer("CHEESE")
    shop.promote(cheese, "mailer", week=1)  # next week
    shop.promote(cheese, "mailer", store="999")  # another store
    # Store 999 has no stock figures: not_carried "eligible" keeps this test about promotions.
    policy = offer_policy(promotions={"match": match}, inventory={"not_carried": "eligible"})
    assert (await shop.decide(client, member, [cheese], policy)).offers == (cheese,)
    next_week = await shop.decide(client, member, [cheese], policy, today=TODAY + timedelta(days=7))
    assert next_week.rejected == ((cheese.offer_id, "conflicts_with_promotion"),)
    at_the_other_store = await shop.decide(client, member, [cheese], policy, store_id="999")
    assert at_the_other_store.rejected == ((cheese.offer_id, "conflicts_with_promotion"),)


async def test_without_a_store_promotions_and_stock_are_not_checked(shop: Shop, client: redis.Redis) -> None:
    member, cheese = shop.member(), shop.offer("CHEESE")
    shop.promote(cheese, "mailer")
    shop.stock("CHEESE", 0)
    assert (await shop.decide(client, member, [cheese], store_id=STORE)).offers == ()
    assert (await shop.decide(client, member, [cheese], store_id=None)).offers == (cheese,)
