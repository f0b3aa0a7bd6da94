"""The model refers to offers by marker; only the gateway states their terms."""

from __future__ import annotations

import pytest

from gateway.governance import Gate, render_markers

from .support import DAIRY_DAYS, OTHER_MEMBERS_OFFER, check, codes, make_context

pytestmark = pytest.mark.anyio


async def test_valid_marker_is_rendered_with_approved_terms(gate: Gate) -> None:
    verdict = await check(gate, "Here's an offer picked for you: [[offer:OFR-1]].")

    assert verdict.action == "pass"
    assert verdict.final_text == f"Here's an offer picked for you: {DAIRY_DAYS.render()}."
    assert verdict.offers_rendered == ("OFR-1",)


async def test_marker_for_another_members_offer_is_a_violation(gate: Gate) -> None:
    text = f"You'll love this. Try [[offer:{OTHER_MEMBERS_OFFER.offer_id}]] tonight!"

    verdict = await check(gate, text)

    assert codes(verdict) == {"unknown_offer"}
    assert verdict.violations[0].excerpt == "[[offer:OFR-777]]"
    assert "OFR-777" not in verdict.final_text
    assert OTHER_MEMBERS_OFFER.render() not in verdict.final_text
    assert verdict.offers_rendered == ()


async def test_malformed_marker_is_a_violation(gate: Gate) -> None:
    verdict = await check(gate, "Your deal: [[offer OFR-1]]. Anything else?")

    assert codes(verdict) == {"unknown_offer"}


async def test_offers_rendered_lists_each_offer_once_in_order() -> None:
    rendered = render_markers("[[offer:OFR-2]] or [[offer:OFR-1]], or [[offer:OFR-2]]",
                              make_context())

    assert rendered.offer_ids == ("OFR-2", "OFR-1")


async def test_rendered_terms_are_not_claims_of_the_model(gate: Gate) -> None:
    # The rendered wording holds a percentage, a tier name and a date: all approved.
    verdict = await check(gate, "[[offer:OFR-1]] and [[offer:OFR-2]] are yours this week.")

    assert verdict.action == "pass"
    assert verdict.offers_rendered == ("OFR-1", "OFR-2")


@pytest.mark.parametrize(
    "text",
    [
        "Don't miss [offer:OFR-12345] this week!",
        "{{offer:OFR-555}} is waiting for you.",
        "Today only: <<offer:OFR-321>>",
        "Grab (offer:OFR-4242) while it lasts.",
        "Offer OFR-88888 is yours today.",
    ],
)
async def test_malformed_markers_and_bare_ids_of_other_offers_are_unknown(
    gate: Gate, text: str
) -> None:
    assert codes(await check(gate, text)) == {"unknown_offer"}


async def test_a_bare_id_of_the_members_own_offer_passes(gate: Gate) -> None:
    assert (await check(gate, "Your offer id is OFR-1 if the desk asks.")).action == "pass"
