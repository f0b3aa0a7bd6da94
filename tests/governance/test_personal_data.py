"""Contact and card details leave the gateway only if the member typed them this turn."""

from __future__ import annotations

import pytest

from gateway.governance import Gate

from .support import check, codes

pytestmark = pytest.mark.anyio


async def test_email_not_given_by_member_is_removed(gate: Gate) -> None:
    text = "You have 1,250 points. Write to jane.doe@example.com with any questions."

    verdict = await check(gate, text)

    assert verdict.action == "repaired"
    assert verdict.final_text == "You have 1,250 points."
    assert codes(verdict) == {"pii_email"}


async def test_email_the_member_typed_may_be_repeated(gate: Gate) -> None:
    verdict = await check(gate, "Your receipts will go to Jane.Doe@example.com from now on.",
                          user_text="please send receipts to jane.doe@example.com")

    assert verdict.action == "pass"


async def test_phone_number_written_differently_by_the_member_may_be_repeated(gate: Gate) -> None:
    verdict = await check(gate, "We'll text +1 555-123-4567 when your order is ready.",
                          user_text="text me at (555) 123 4567")

    assert verdict.action == "pass"


async def test_phone_number_not_given_is_a_violation(gate: Gate) -> None:
    verdict = await check(gate, "Your order is ready. Call 555-867-5309 for help.")

    assert codes(verdict) == {"pii_phone"}
    assert verdict.final_text == "Your order is ready."


async def test_card_number_is_a_violation(gate: Gate) -> None:
    verdict = await check(gate, "Thanks for shopping. Your card 4111 1111 1111 1111 is saved.")

    assert codes(verdict) == {"pii_card"}


async def test_personal_data_is_masked_in_the_verdict(gate: Gate) -> None:
    verdict = await check(gate, "Thanks for shopping. Your card 4111 1111 1111 1111 is saved.")

    assert verdict.violations[0].excerpt == "***1111"
    assert "4111" not in verdict.violations[0].message


@pytest.mark.parametrize(
    "text",
    [
        "Email the member at bob dot jones at yahoo dot com.",
        "Write to anna[at]example[.]org for help.",
        "The profile lists jo (at) hotmail (dot) com.",
        "You could email dave @ gmail . com about it.",
        "Their address is k．wong＠mail．com",
    ],
)
async def test_spelt_out_email_is_personal_data(gate: Gate, text: str) -> None:
    verdict = await check(gate, f"Bread is in aisle 2. {text}")

    assert "pii_email" in codes(verdict)  # its domain may also count as a link
    assert verdict.final_text == "Bread is in aisle 2."


async def test_phone_number_spoken_digit_by_digit_is_personal_data(gate: Gate) -> None:
    text = "Bread is in aisle 2. Reach them at five five five, two three four, seven eight nine zero."

    verdict = await check(gate, text)

    assert codes(verdict) == {"pii_phone"}
    assert verdict.final_text == "Bread is in aisle 2."


@pytest.mark.parametrize(
    "text",
    [
        "The UPC 0 41220 87654 3 is printed on the bottom of the box.",
        "Order number 3125550199 is ready for pickup.",
        "Find us at completerewards.example any time.",
        "Questions? Ring (800) 555-0100.",
        "Meet me at the bakery counter, it's at the back of the store.",
    ],
)
async def test_labelled_numbers_and_plain_words_are_not_personal_data(gate: Gate, text: str) -> None:
    assert (await check(gate, text)).action == "pass"
