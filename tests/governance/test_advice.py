"""Claims we never make: medical, legal and financial advice replace the whole answer."""

from __future__ import annotations

import pytest

from gateway.governance import Gate

from .support import check, codes

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("This vitamin C supplement cures colds in a day.", "medical_advice"),
        ("Garlic lowers your blood pressure, so skip the medication.", "medical_advice"),
        ("You should stop taking your insulin and try cinnamon tea.", "medical_advice"),
        ("That rash sounds like eczema.", "medical_advice"),
        ("This supplement cμres high cholesterol.", "medical_advice"),  # Greek mu for u
        ("You should sue the store where you slipped.", "legal_advice"),
        ("Legally, they can't charge you for that, so ignore the bill.", "legal_advice"),
        ("You should invest your points in our partner's fund.", "financial_advice"),
        ("Take out a payday loan to stock up during the sale.", "financial_advice"),
    ],
)
async def test_advice_replaces_the_whole_answer(gate: Gate, text: str, code: str) -> None:
    verdict = await check(gate, f"Milk is in aisle 5. {text}")

    assert verdict.action == "replaced"
    assert code in codes(verdict)
    assert {v.policy for v in verdict.violations} == {"governance/advice"}


@pytest.mark.parametrize(
    "text",
    [
        "Vitamin C is in aisle 9, next to the zinc.",
        "Dog treats are in aisle 14 with the pet food.",
        "Treat yourself to a cold drink from the café.",
        "Try our cold brew coffee, it's by the dairy case.",
        "Our lawn care section has fertilizer and grass seed.",
        "Gift ideas for your mother-in-law are in the seasonal aisle.",
        "You can save money on groceries with your weekly offers.",
        "Invest a little time in meal prep and you'll waste less food.",
        "I can't give medical advice, but our pharmacist can help.",
        "Stock up on pantry staples when your offers match them.",
    ],
)
async def test_ordinary_product_talk_is_not_advice(gate: Gate, text: str) -> None:
    assert (await check(gate, text)).action == "pass"


async def test_a_verb_and_its_object_count_only_within_one_sentence(gate: Gate) -> None:
    text = "Our soups are made fresh and cure nothing. Colds are common in winter."

    assert (await check(gate, text)).action == "pass"
