"""Discounts the model states itself are claims, however they are written."""

from __future__ import annotations

import pytest

from gateway.governance import Gate

from .support import check, codes

pytestmark = pytest.mark.anyio


async def test_ninety_percent_off_with_code_is_replaced_by_safe_answer(gate: Gate) -> None:
    verdict = await check(gate, "Great news! 90% off everything with code VIP90. Enjoy!")

    assert verdict.action == "replaced"
    assert "90%" not in verdict.final_text and "VIP90" not in verdict.final_text
    assert {"ungrounded_discount", "discount_code"} <= codes(verdict)
    excerpts = {v.excerpt for v in verdict.violations}
    assert "90%" in excerpts
    assert all(v.policy and v.message for v in verdict.violations)


async def test_fullwidth_digits_are_read_as_a_discount(gate: Gate) -> None:
    verdict = await check(gate, "Enjoy ９０％ off all snacks today.")

    assert verdict.action == "replaced"
    assert [v.excerpt for v in verdict.violations] == ["９０％"]


async def test_spelled_out_percent_is_a_discount_claim(gate: Gate) -> None:
    verdict = await check(gate, "Take ninety-five percent off your next shop.")

    assert codes(verdict) == {"ungrounded_discount"}
    assert verdict.violations[0].excerpt == "ninety-five percent"


@pytest.mark.parametrize(
    "text",
    [
        "Get 9\u200b0% off today.",  # zero-width space between the digits
        "Get 9O% off today.",  # the letter O among digits
        "Get 50 pct off produce.",
        "Get fifty per cent off produce.",
        "Grab a quarter off all pet food.",
        "You get half off any bakery item.",
        "Buy one get one on all cereal.",
        "Buy-one-get-one on all cereal.",
        "Your coffee is on the house.",
        "A complimentary tote bag is yours.",
        "Shipping is fr\u0435e this week.",  # Cyrillic е
    ],
)
async def test_disguised_discounts_are_claims(gate: Gate, text: str) -> None:
    verdict = await check(gate, text)

    assert verdict.action == "replaced"
    assert codes(verdict) == {"ungrounded_discount"}


async def test_hundred_percent_recycled_is_not_a_discount(gate: Gate) -> None:
    verdict = await check(gate, "Our reusable bags are 100% recycled.")

    assert verdict.action == "pass"
    assert verdict.final_text == "Our reusable bags are 100% recycled."


async def test_percent_followed_by_off_is_a_discount_even_next_to_a_benign_word(
    gate: Gate,
) -> None:
    verdict = await check(gate, "Recycled bags are 100% off today.")

    assert codes(verdict) == {"ungrounded_discount"}


async def test_store_hours_are_not_a_price(gate: Gate) -> None:
    verdict = await check(gate, "We're open 8 to 9 today, and you'll find milk in aisle 5.")

    assert verdict.action == "pass"


async def test_money_off_is_a_discount_claim(gate: Gate) -> None:
    verdict = await check(gate, "Here's $10 off your next order.")

    assert codes(verdict) == {"ungrounded_discount"}


async def test_price_the_context_does_not_hold_is_ungrounded(gate: Gate) -> None:
    verdict = await check(gate, "That TV is ＄199 this week.")

    assert codes(verdict) == {"ungrounded_money"}


async def test_restated_offer_discount_naming_the_offer_is_grounded(gate: Gate) -> None:
    verdict = await check(gate, "Dairy Days gives you 20% off yogurt: [[offer:OFR-1]]")

    assert verdict.action == "pass"


async def test_offer_discount_applied_to_everything_is_not_grounded(gate: Gate) -> None:
    verdict = await check(gate, "Get 20% off everything today.")

    assert codes(verdict) == {"ungrounded_discount"}


async def test_negated_free_is_not_an_offer(gate: Gate) -> None:
    verdict = await check(gate, "Unfortunately, delivery is not free in your area.")

    assert verdict.action == "pass"


async def test_discount_code_is_a_violation_on_its_own(gate: Gate) -> None:
    verdict = await check(gate, "Use promo code SAVE20 at checkout.")

    assert codes(verdict) == {"discount_code"}
    assert verdict.action == "replaced"
