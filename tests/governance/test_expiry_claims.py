"""Expiry: points never expire, expire later or on another day only if that is the member's fact."""

from __future__ import annotations

import pytest

from gateway.governance import Gate

from .support import check, codes

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    "text",
    [
        "Your points stay with you for life.",
        "Your points are good for 5 more years.",
        "I've extended this offer until the end of next month.",
        "The expiry has been pushed back to next June for you.",
        "We've lifted the expiry on your rewards.",
        "The 300 points expire at the end of next year.",
        "Your points are non-expiring now.",
    ],
)
async def test_lifted_or_moved_expiry_is_a_violation(gate: Gate, text: str) -> None:
    assert "ungrounded_expiry" in codes(await check(gate, text))


@pytest.mark.parametrize(
    "text",
    [
        "Your 300 points expire on December 1, 2026.",
        "Your 300 points expire in 30 days.",
        "Points don't last forever, so use them when you can.",
        "Bags for life are by the checkout lanes.",
        "Our cooking class ends at 7 tonight.",
        "Fresh pasta keeps for about 3 days in the fridge.",
    ],
)
async def test_real_expiry_and_ordinary_durations_pass(gate: Gate, text: str) -> None:
    verdict = await check(gate, text)

    assert verdict.action == "pass", verdict.violations
