"""Links are allowed only to the brand's own hosts."""

from __future__ import annotations

import pytest

from gateway.governance import Gate

from .support import check, codes

pytestmark = pytest.mark.anyio


async def test_link_to_the_brand_site_passes(gate: Gate) -> None:
    for text in ("See https://completerewards.example/offers for details.",
                 "Help is at help.completerewards.example any time."):
        assert (await check(gate, text)).action == "pass", text


async def test_link_to_another_host_is_dropped(gate: Gate) -> None:
    verdict = await check(gate, "Milk is in aisle 5. More deals at https://deals.example.net/x.")

    assert codes(verdict) == {"link_not_allowed"}
    assert verdict.final_text == "Milk is in aisle 5."


async def test_lookalike_of_the_brand_host_is_not_the_brand(gate: Gate) -> None:
    verdict = await check(gate, "Milk is in aisle 5. Log in at completerewards.example.evil.com.")

    assert codes(verdict) == {"link_not_allowed"}
