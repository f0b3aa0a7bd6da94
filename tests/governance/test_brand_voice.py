"""Brand voice: no banned wording, no competitors, channel length and AI disclosure."""

from __future__ import annotations

import pytest

from gateway.governance import Gate
from gateway.turn import Channel

from .support import check, codes

pytestmark = pytest.mark.anyio


async def test_competitor_name_is_a_brand_violation(gate: Gate) -> None:
    verdict = await check(gate, "You have 1,250 points. Our prices beat Walmart any day.")

    assert codes(verdict) == {"competitor"}
    assert verdict.final_text == "You have 1,250 points."


async def test_competitor_that_is_a_common_word_counts_only_by_name(gate: Gate) -> None:
    assert (await check(gate, "We target fresh produce first every morning.")).action == "pass"
    assert codes(await check(gate, "It's cheaper than Target, honestly.")) == {"competitor"}


async def test_banned_wording_is_dropped(gate: Gate) -> None:
    verdict = await check(gate, "Milk is in aisle 5. We guarantee you'll love it.")

    assert codes(verdict) == {"banned_phrase"}
    assert verdict.final_text == "Milk is in aisle 5."


async def test_kiosk_answer_with_disclosure_passes(gate: Gate) -> None:
    text = "I'm an automated assistant. The restrooms are next to the pharmacy."

    assert (await check(gate, text, channel=Channel.KIOSK)).action == "pass"


async def test_app_answer_needs_no_disclosure(gate: Gate) -> None:
    assert (await check(gate, "The restrooms are next to the pharmacy.")).action == "pass"


async def test_overlong_answer_is_trimmed_at_a_sentence(gate: Gate) -> None:
    sentence = "Fresh bread is baked every morning in the store bakery."
    text = " ".join([sentence] * 12)  # about 670 characters; the kiosk allows 480

    verdict = await check(gate, "I'm an automated assistant. " + text, channel=Channel.KIOSK)

    assert verdict.action == "repaired"
    assert codes(verdict) == {"too_long"}
    assert len(verdict.final_text) <= 480
    assert verdict.final_text.endswith("bakery.")
