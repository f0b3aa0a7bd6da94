"""Images and links: anything that points outside the allow-list is removed, however written."""

from __future__ import annotations

import pytest

from gateway.governance import Gate

from .support import check, codes

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    "image",
    [
        "![Your deal](https://cdn.promo-hub.net/deal.png)",
        "<img src=\"https://tracker.example.com/pixel.gif\">",
        "<IMG SRC='//evil.io/a.png' alt='offer'>",
        "![coupon](data:image/png;base64,iVBORw0KGgo=)",
        "<img src=x onerror=alert(1)>",
        "<img alt=\"coupon\" src=\"/cdn-cgi/deal.png\">",
        "![logo](https://completerewards.example.evil.com/logo.png)",
    ],
)
async def test_image_from_outside_the_allow_list_is_removed(gate: Gate, image: str) -> None:
    verdict = await check(gate, f"Bread is in aisle 2.\n{image}")

    assert verdict.action == "repaired"
    assert codes(verdict) == {"image_not_allowed"}
    assert verdict.final_text == "Bread is in aisle 2."


@pytest.mark.parametrize(
    "image",
    [
        "![Complete Rewards logo](https://completerewards.example/logo.png)",
        "<img src=\"https://images.completerewards.example/bakery.jpg\" alt=\"our bakery\">",
    ],
)
async def test_image_on_the_brands_own_host_passes(gate: Gate, image: str) -> None:
    assert (await check(gate, image)).action == "pass"


@pytest.mark.parametrize(
    "link",
    [
        "[Your offers](javascript:alert(1))",
        "Check our partner at partner-store[.]com for more.",
        "Visit coupons dot com for more.",
        "Tap https://ｅｖｉｌ．ｃｏｍ/deal for it.",
        "Our app: https://completerewards.example@evil.com/app",
        "See <a href='https://win-big.xyz'>this</a>.",
    ],
)
async def test_hidden_and_disguised_links_are_removed(gate: Gate, link: str) -> None:
    verdict = await check(gate, f"Bread is in aisle 2. {link}")

    # "partner at partner-store[.]com" also reads as an e-mail address; either way it goes.
    assert "link_not_allowed" in codes(verdict)
    assert verdict.final_text == "Bread is in aisle 2."


async def test_a_lookalike_of_the_brand_host_is_refused_though_it_reads_the_same(gate: Gate) -> None:
    verdict = await check(gate, "Bread is in aisle 2. Log in at https://сompleterewards.example/login.")

    assert codes(verdict) == {"link_not_allowed"}  # a Cyrillic "с": another host entirely


@pytest.mark.parametrize(
    "text",
    [
        "We carry U.S. grown apples, e.g. Honeycrisp and Gala.",
        "The store is on St. Charles Ave., near the park.",
        "Great choice.Come back any time!",
        "Version 2.3 of the app adds digital receipts.",
    ],
)
async def test_abbreviations_and_versions_are_not_links(gate: Gate, text: str) -> None:
    assert (await check(gate, text)).action == "pass"
