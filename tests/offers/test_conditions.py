"""Conditions on the offer, the member and the store: each failure names its reason."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
import redis.asyncio as redis

from gateway.offers import Reason

from .shop import TODAY, Shop, offer_policy

pytestmark = pytest.mark.anyio

EXCLUSIONS = {
    "excluded_departments": ["SPIRITS", "FUEL"],
    "excluded_categories": ["BEERS/ALES", "IMPORTED WINE", "CIGARETTES", "INFANT FORMULA"],
}
NEVER_PROMOTED = offer_policy(eligibility=EXCLUSIONS)


async def test_out_of_stock_category_makes_its_offer_ineligible(shop: Shop, client: redis.Redis) -> None:
    member, cheese, bread = shop.member(), shop.offer("CHEESE"), shop.offer("BREAD")
    shop.stock("CHEESE", 0)
    decision = await shop.decide(client, member, [cheese, bread])
    assert decision.offers == (bread,)
    assert decision.rejected == ((cheese.offer_id, "out_of_stock"),)


async def test_stock_below_the_policy_minimum_is_too_low_to_promote(shop: Shop, client: redis.Redis) -> None:
    member, cheese = shop.member(), shop.offer("CHEESE")
    shop.stock("CHEESE", 2)
    policy = offer_policy(inventory={"min_units": 3})
    assert (await shop.decide(client, member, [cheese], policy)).rejected == ((cheese.offer_id, "low_stock"),)
    shop.stock("CHEESE", 3)
    assert (await shop.decide(client, member, [cheese], policy)).offers == (cheese,)


async def test_a_category_the_store_does_not_carry_follows_the_policy(
    shop: Shop, client: redis.Redis
) -> None:
    member, cheese = shop.member(), shop.offer("CHEESE")
    shop.stock("CHEESE", None)
    refused = await shop.decide(client, member, [cheese])
    assert refused.rejected == ((cheese.offer_id, "not_carried"),)
    allowed = await shop.decide(client, member, [cheese], offer_policy(inventory={"not_carried": "eligible"}))
    assert allowed.offers == (cheese,)


@pytest.mark.parametrize(
    ("department", "category"),
    [("GROCERY", "BEERS/ALES"), ("GROCERY", "IMPORTED WINE"), ("SPIRITS", "LIQUOR"),
     ("PHOTO & VIDEO", "BEERS/ALES")],
)
async def test_alcohol_is_never_offered(
    shop: Shop, client: redis.Redis, department: str, category: str
) -> None:
    member, drink = shop.member(), shop.offer(category, department=department, discount=5)
    decision = await shop.decide(client, member, [drink], NEVER_PROMOTED)
    assert decision.offers == ()
    assert decision.rejected[0][1] in {"excluded_department", "excluded_category"}


@pytest.mark.parametrize(
    ("department", "category", "reason"),
    [("DRUG GM", "CIGARETTES", "excluded_category"), ("FUEL", "FUEL", "excluded_department"),
     ("DRUG GM", "INFANT FORMULA", "excluded_category"), ("GROCERY", "beers/ales", "excluded_category")],
)
async def test_tobacco_fuel_and_infant_formula_are_never_offered_whatever_the_case(
    shop: Shop, client: redis.Redis, department: str, category: str, reason: str
) -> None:
    member, item = shop.member(), shop.offer(category, department=department, discount=5)
    decision = await shop.decide(client, member, [item], NEVER_PROMOTED)
    assert decision.rejected == ((item.offer_id, reason),)


async def test_a_member_active_for_fewer_days_than_the_policy_sees_no_offers(
    shop: Shop, client: redis.Redis
) -> None:
    newcomer, regular = shop.member(days_active=9), shop.member(days_active=10)
    cheese = shop.offer("CHEESE")
    policy = offer_policy(eligibility={"min_days_active": 10})
    assert (await shop.decide(client, newcomer, [cheese], policy)).rejected == (
        (cheese.offer_id, "member_too_new"),
    )
    assert (await shop.decide(client, regular, [cheese], policy)).offers == (cheese,)


async def test_a_member_the_store_does_not_know_is_treated_as_new(shop: Shop, client: redis.Redis) -> None:
    stranger = replace(shop.member(), member_id="nobody")
    cheese = shop.offer("CHEESE")
    decision = await shop.decide(client, stranger, [cheese])
    assert decision.rejected == ((cheese.offer_id, "member_too_new"),)


async def test_offers_apply_only_within_their_validity_dates(shop: Shop, client: redis.Redis) -> None:
    member = shop.member()
    starts_tomorrow = shop.offer("CHEESE", valid_from=TODAY + timedelta(days=1))
    ended_yesterday = shop.offer("BREAD", valid_until=TODAY - timedelta(days=1))
    last_day = shop.offer("MILK", valid_until=TODAY)
    decision = await shop.decide(client, member, [starts_tomorrow, ended_yesterday, last_day])
    assert decision.offers == (last_day,)
    assert sorted(decision.rejected) == sorted(
        [(starts_tomorrow.offer_id, "not_yet_valid"), (ended_yesterday.offer_id, "expired")]
    )


async def test_an_offer_missing_from_the_catalog_is_refused(shop: Shop, client: redis.Redis) -> None:
    member, cheese = shop.member(), shop.offer("CHEESE")
    forged = replace(cheese, offer_id="OFR-FORGED", category="BREAD")
    decision = await shop.decide(client, member, [cheese, forged])
    assert decision.offers == (cheese,)
    assert decision.rejected == (("OFR-FORGED", "unknown_offer"),)


async def test_the_programs_own_rules_still_apply_with_their_reason_codes(
    shop: Shop, client: redis.Redis
) -> None:
    bronze = shop.member(tier="Bronze")
    offers = [
        shop.offer("A", min_tier="Gold", discount=5),
        shop.offer("B", discount=15),  # over Bronze's 10%
        shop.offer("C", department="PASTRY", discount=10),
    ]
    gold = shop.member(tier="Gold")
    rich = shop.offer("D", department="PASTRY", discount=20)  # over the 14% margin cap
    assert (await shop.decide(client, bronze, offers)).rejected == (
        ("OFR-1", "tier_too_low"), ("OFR-2", "over_tier_limit"),
    )
    assert (await shop.decide(client, gold, [rich])).rejected == ((rich.offer_id, "over_margin_floor"),)


async def test_the_first_failing_rule_is_the_reason(shop: Shop, client: redis.Redis) -> None:
    member = shop.member(days_active=1)
    wine = shop.offer("IMPORTED WINE", valid_until=TODAY - timedelta(days=1))
    shop.stock("IMPORTED WINE", 0)
    policy = offer_policy(eligibility={**EXCLUSIONS, "min_days_active": 30})
    assert (await shop.decide(client, member, [wine], policy)).rejected == ((wine.offer_id, "expired"),)


def test_reason_codes_are_stable_strings() -> None:
    assert [str(code) for code in Reason] == [
        "expired", "unknown_tier", "tier_too_low", "over_tier_limit", "over_margin_floor",
        "excluded_department", "excluded_category", "unknown_offer", "not_yet_valid", "member_too_new",
        "not_carried", "out_of_stock", "low_stock", "conflicts_with_promotion", "frequency_cap",
        "same_category", "never_combined", "stacking_limit", "daily_cap",
    ]
