"""Brand tone: no shouting, no pile of exclamation marks, no condescension."""

from __future__ import annotations

import pytest

from gateway.governance import Gate

from .support import check, codes

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    "text",
    [
        "WHY DON'T YOU JUST CHECK THE APP!",
        "The pharmacy is closed!!",
        "As I already told you, your points are in the app.",
        "Calm down, your order will be ready soon.",
        "Obviously, the bakery opens at 7.",
        "That's a silly question, but milk is in aisle 5.",
    ],
)
async def test_off_tone_sentence_is_dropped(gate: Gate, text: str) -> None:
    verdict = await check(gate, f"Bread is in aisle 2. {text}")

    assert verdict.action == "repaired"
    assert codes(verdict) == {"tone"}
    assert verdict.final_text == "Bread is in aisle 2."


@pytest.mark.parametrize(
    "text",
    [
        "Great question! The deli opens at 8.",
        "NEW! Seasonal pies are in the bakery.",
        "Our USDA Organic produce is on the left as you walk in.",
        "The sign by the deli says FRESH MOZZARELLA MADE DAILY.",
        "Obviously Organic spinach is in the salad section.",
        "Whatever you need, we're here to help.",
    ],
)
async def test_friendly_and_product_wording_passes(gate: Gate, text: str) -> None:
    assert (await check(gate, text)).action == "pass"


async def test_banned_wording_after_a_hedge_is_careful_not_banned(gate: Gate) -> None:
    assert (await check(gate, "We can't guarantee stock, but the app shows it.")).action == "pass"
    assert codes(await check(gate, "Bread is in aisle 2. Don't be an idiot.")) == {"banned_phrase"}
