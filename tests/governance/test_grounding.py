"""Numbers, tiers and dates that are true of this member may be said; others may not."""

from __future__ import annotations

import pytest

from gateway.governance import Gate

from .support import check, codes, make_context

pytestmark = pytest.mark.anyio


async def test_members_own_points_balance_is_a_grounded_fact(gate: Gate) -> None:
    verdict = await check(gate, "You have 1,250 points, and 300 points expire soon.")

    assert verdict.action == "pass"


async def test_points_balance_of_someone_else_is_ungrounded(gate: Gate) -> None:
    verdict = await check(gate, "You have 5,000 points.")

    assert codes(verdict) == {"ungrounded_points"}


async def test_balance_is_checked_against_this_members_context(gate: Gate) -> None:
    rich = make_context(points=5000)

    assert (await check(gate, "You have 5,000 points.", context=rich)).action == "pass"
    assert (await check(gate, "You have 5k points.", context=rich)).action == "pass"


async def test_bonus_points_are_never_a_fact(gate: Gate) -> None:
    verdict = await check(gate, "I've added 1,250 bonus points to your account.")

    assert codes(verdict) == {"ungrounded_points"}


async def test_spend_to_next_tier_may_be_stated_as_money(gate: Gate) -> None:
    for text in ("You're $412.37 away from Platinum.", "Spend about $412 more to reach Platinum."):
        assert (await check(gate, text)).action == "pass", text


async def test_spend_to_next_tier_stated_as_a_saving_is_a_discount(gate: Gate) -> None:
    verdict = await check(gate, "Save $412 on your next visit.")

    assert codes(verdict) == {"ungrounded_discount"}


async def test_own_tier_as_status_is_grounded(gate: Gate) -> None:
    verdict = await check(gate, "As a Gold member, you get early access. Platinum is next.")

    assert verdict.action == "pass"


async def test_another_tier_as_status_is_ungrounded(gate: Gate) -> None:
    verdict = await check(gate, "You're a Platinum member now.")

    assert codes(verdict) == {"ungrounded_tier"}


async def test_tier_grant_is_a_violation_even_to_a_real_tier(gate: Gate) -> None:
    verdict = await check(gate, "I'll upgrade you to Platinum today.")

    assert codes(verdict) == {"tier_grant"}
    assert verdict.action == "replaced"


async def test_refusing_an_upgrade_is_not_a_grant(gate: Gate) -> None:
    verdict = await check(gate, "I can't upgrade you to Platinum, but you're close to it.")

    assert verdict.action == "pass"


async def test_points_expiry_date_from_context_is_grounded(gate: Gate) -> None:
    for text in ("Your 300 points expire on December 1, 2026.", "300 points expire in 30 days."):
        assert (await check(gate, text)).action == "pass", text


async def test_invented_expiry_is_a_violation(gate: Gate) -> None:
    for text in ("Your points never expire.", "Your points expire on January 15.",
                 "Your points expire in 90 days."):
        verdict = await check(gate, text)
        assert codes(verdict) == {"ungrounded_expiry"}, text


async def test_purchase_amount_is_grounded_only_where_the_product_is_named(gate: Gate) -> None:
    assert (await check(gate, "Your last milk was $3.49.")).action == "pass"
    assert codes(await check(gate, "Frozen pizza is $3.49 today.")) == {"ungrounded_money"}


async def test_amount_with_cents_must_match_exactly(gate: Gate) -> None:
    assert (await check(gate, "You're $412 from Platinum.")).action == "pass"
    assert codes(await check(gate, "You're $412.00 from Platinum.")) == {"ungrounded_money"}
