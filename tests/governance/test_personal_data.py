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
