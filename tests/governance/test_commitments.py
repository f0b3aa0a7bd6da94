"""Commitments read by their shape: what a member could hold the store to, in any wording.

The member is Gold, on the way to Platinum (see support.py). Each shape has the
ordinary sentences next to it that share its words and must still pass.
"""

from __future__ import annotations

import pytest

from gateway.governance import Gate

from .support import check, codes

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("text", [
    "The muffins won't cost you anything today.",
    "Walk out with the bagels without paying for them.",
    "Your next coffee is covered by us.",
])
async def test_a_negated_or_shifted_cost_is_a_discount(gate: Gate, text: str) -> None:
    verdict = await check(gate, text)

    assert verdict.action == "replaced"
    assert "ungrounded_discount" in codes(verdict)


@pytest.mark.parametrize("text", [
    "We'll knock a few bucks off your basket today.",
    "The cashier will take a chunk off the total for members.",
    "Frozen pizza is cheaper for you than the shelf tag says.",
])
async def test_a_cut_or_a_lower_price_said_to_the_member_is_a_discount(gate: Gate, text: str) -> None:
    verdict = await check(gate, text)

    assert verdict.action == "replaced"
    assert "ungrounded_discount" in codes(verdict)


@pytest.mark.parametrize("text", [
    "The soup of the day is four ninety-nine.",
    "That olive oil sells for six today.",
])
async def test_a_price_in_words_is_a_price(gate: Gate, text: str) -> None:
    verdict = await check(gate, text)

    assert verdict.action == "replaced"


async def test_rewards_multiplied_in_any_order_are_bonus_points(gate: Gate) -> None:
    for text in ("You'll earn triple rewards on snacks.", "Your rewards count double on fish."):
        verdict = await check(gate, text)

        assert "ungrounded_points" in codes(verdict), text


@pytest.mark.parametrize("text", [
    "Your card now says Platinum.",
    "Welcome aboard the Platinum level!",
    "From today your account carries Platinum status.",
])
async def test_a_tier_named_with_a_word_of_change_is_a_tier_claim(gate: Gate, text: str) -> None:
    verdict = await check(gate, text)

    assert verdict.action == "replaced"
    assert "ungrounded_tier" in codes(verdict)


@pytest.mark.parametrize("text", [
    "I've turned off the expiry on your points.",
    "Those points don't have an end date anymore.",
    "Your points now roll over with no cut-off.",
])
async def test_an_expiry_lifted_or_outlasted_is_an_expiry_claim(gate: Gate, text: str) -> None:
    verdict = await check(gate, text)

    assert "ungrounded_expiry" in codes(verdict)


@pytest.mark.parametrize("text", [
    "It costs nothing to download the Complete Rewards app.",
    "It's free to join Complete Rewards at the desk or in the app.",
    "Take the lid off before you microwave the soup.",
    "The store opens at seven thirty on Saturdays.",
    "The class runs twenty-five minutes.",
    "Double cream is in the dairy aisle next to the butter.",
    "Welcome back, Gold member!",
    "Silver foil trays are now by the baking aisle.",
    "You're on your way to Platinum.",
    "I'm not able to extend points that are expiring, sorry about that.",
    "I can't see an expiry date for that offer in the app.",
    "The bakery's day-old bread is marked down each evening.",
])
async def test_ordinary_sentences_with_the_same_words_pass(gate: Gate, text: str) -> None:
    verdict = await check(gate, text)

    assert (verdict.action, verdict.final_text) == ("pass", text)
