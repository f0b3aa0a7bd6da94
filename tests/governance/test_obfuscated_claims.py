"""Offer claims are read however they are written: other scripts' digits, spacing, markup."""

from __future__ import annotations

import pytest

from gateway.governance import Gate

from .support import check, codes

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    "text",
    [
        "Get ٢٠٪ off fresh fruit today.",  # Arabic-Indic digits and percent sign
        "Get 𝟓𝟎% off frozen desserts.",  # mathematical bold digits
        "Snacks are 3 0 % off right now.",  # spaced digits
        "You get 2\u00a00% off everything.",  # no-break space inside the number
        "Today only: **40%** off deli meats.",  # markdown emphasis
        "Get <b>2</b>0% off produce this afternoon.",  # an HTML tag splits the number
        "Enjoy 30% оff bakery items.",  # Cyrillic o
        "You get f r e e delivery today.",  # letters spread out
        "Pick up fr\u200bee samples at checkout.",  # zero-width space inside the word
        "Three for two on all canned soup this week.",
        "Buy one, get one on every box of cereal.",
        "Prices on detergent are slashed by a third for you.",
        "All wine is discounted by 20 today.",
    ],
)
async def test_disguised_discount_is_still_a_discount(gate: Gate, text: str) -> None:
    verdict = await check(gate, text)

    assert verdict.action == "replaced"
    assert "ungrounded_discount" in codes(verdict)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Milk costs 2,79 € at the moment.", "ungrounded_money"),
        ("A gallon of milk is only 2.49 this week.", "ungrounded_money"),
        ("It's just a fiver for the flowers.", "ungrounded_money"),
        ("You'll get a ten-dollar credit on your next visit.", "ungrounded_discount"),
        ("We'll give you 1 0 0 0 points for a review.", "ungrounded_points"),
        ("Leave a review and a 100-point bonus is yours.", "ungrounded_points"),
        ("You have 1,250 points, and I've just added 200 more.", "ungrounded_points"),
        ("Use c0de SAVE15 on your next order.", "discount_code"),
        ("Show this code at the till: VIP-2YZ.", "discount_code"),
        ("Enter S A V E 1 0 at checkout.", "discount_code"),
        ("Your membership level is Platinum.", "ungrounded_tier"),
        ("Consider yourself a Platinum member from now on.", "ungrounded_tier"),
        ("I've put you in the Platinum tier.", "tier_grant"),
    ],
)
async def test_disguised_money_points_codes_and_tiers_are_claims(
    gate: Gate, text: str, code: str
) -> None:
    assert code in codes(await check(gate, text))


@pytest.mark.parametrize(
    "text",
    [
        "We're 100% committed to fresh produce.",
        "98% of reviewers recommend this blender.",
        "Our 85% dark chocolate is by the registers.",
        "Card payments over $100 may ask for your PIN.",
        "Zip code 60614 has two of our stores.",
        "Item code 4011 is bananas at self-checkout.",
        "Version 4.12 of the app shows your receipts.",
        "The big pumpkin weighs about 12.75 pounds.",
        "It's on us to keep the aisles clear, so thanks for telling us.",
        "There's no buy one get one deal on cereal right now.",
        "Keep it up and you could be a Platinum member next year.",
        "Your spend decides your tier; Platinum comes next.",
    ],
)
async def test_lookalikes_of_claims_pass(gate: Gate, text: str) -> None:
    verdict = await check(gate, text)

    assert verdict.action == "pass", verdict.violations
