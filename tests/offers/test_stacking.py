"""Stacking: which eligible offers one answer may carry together, best first."""

from __future__ import annotations

import pytest
import redis.asyncio as redis

from .shop import Shop, ids, offer_policy

pytestmark = pytest.mark.anyio


async def test_two_offers_on_the_same_category_never_stack(shop: Shop, client: redis.Redis) -> None:
    member = shop.member()
    bigger, smaller = shop.offer("CHEESE", discount=15), shop.offer("CHEESE", discount=10)
    bread = shop.offer("BREAD", discount=5)
    decision = await shop.decide(client, member, [smaller, bread, bigger])
    assert ids(decision.offers) == [bigger.offer_id, bread.offer_id]
    assert decision.rejected == ((smaller.offer_id, "same_category"),)


async def test_an_answer_carries_at_most_the_policys_number_of_offers(
    shop: Shop, client: redis.Redis
) -> None:
    member = shop.member()
    offers = [shop.offer(category, discount=d) for category, d in [("A", 5), ("B", 15), ("C", 10), ("D", 10)]]
    policy = offer_policy(stacking={"max_offers_per_answer": 2})
    decision = await shop.decide(client, member, offers, policy)
    assert ids(decision.offers) == ["OFR-2", "OFR-3"]  # largest discount first, then by id
    assert decision.rejected == (("OFR-4", "stacking_limit"), ("OFR-1", "stacking_limit"))


async def test_offer_types_that_never_combine_are_not_shown_together(shop: Shop, client: redis.Redis) -> None:
    member = shop.member()
    exclusive = shop.offer("CHEESE", discount=15, offer_type="Type A")
    broad = shop.offer("BREAD", discount=10, offer_type="Type C")
    other = shop.offer("MILK", discount=5, offer_type="Type B")
    policy = offer_policy(stacking={"never_combined": [["Type C", "Type A"]]})
    decision = await shop.decide(client, member, [broad, other, exclusive], policy)
    assert ids(decision.offers) == [exclusive.offer_id, other.offer_id]
    assert decision.rejected == ((broad.offer_id, "never_combined"),)


async def test_offers_of_one_type_combine_unless_the_policy_pairs_the_type_with_itself(
    shop: Shop, client: redis.Redis
) -> None:
    member = shop.member()
    offers = [shop.offer("CHEESE", offer_type="Type A"), shop.offer("BREAD", offer_type="Type A")]
    assert len((await shop.decide(client, member, offers)).offers) == 2
    policy = offer_policy(stacking={"never_combined": [["Type A", "Type A"]]})
    decision = await shop.decide(client, member, offers, policy)
    assert decision.rejected == (("OFR-2", "never_combined"),)


async def test_a_rejected_offer_frees_its_category_for_the_next_best(shop: Shop, client: redis.Redis) -> None:
    member = shop.member(tier="Bronze")
    too_rich = shop.offer("CHEESE", discount=15)  # above Bronze's 10% limit
    fits = shop.offer("CHEESE", discount=10)
    decision = await shop.decide(client, member, [too_rich, fits])
    assert ids(decision.offers) == [fits.offer_id]
    assert decision.rejected == ((too_rich.offer_id, "over_tier_limit"),)


async def test_the_same_offer_targeted_twice_is_one_offer(shop: Shop, client: redis.Redis) -> None:
    member = shop.member()
    cheese = shop.offer("CHEESE")
    decision = await shop.decide(client, member, [cheese, cheese])
    assert decision.offers == (cheese,)
    assert decision.rejected == ()


async def test_no_targeted_offers_give_an_empty_decision(shop: Shop, client: redis.Redis) -> None:
    decision = await shop.decide(client, shop.member(), [])
    assert decision.offers == () and decision.rejected == ()
