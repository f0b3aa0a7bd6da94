"""The kiosk's AI disclosure is the gate's own wording: added once, never a violation."""

from __future__ import annotations

import pytest

from gateway.governance import Gate
from gateway.policy.governance import GovernancePolicy
from gateway.turn import Channel

from .support import check, codes, make_context

pytestmark = pytest.mark.anyio

PREFIX = "I'm an automated assistant."


async def test_kiosk_answer_without_disclosure_passes_with_the_gates_disclosure(gate: Gate) -> None:
    verdict = await check(gate, "The restrooms are next to the pharmacy.", channel=Channel.KIOSK)

    assert verdict.action == "pass"
    assert verdict.violations == ()
    assert verdict.final_text == f"{PREFIX} The restrooms are next to the pharmacy."


async def test_disclosure_given_earlier_in_the_conversation_is_not_repeated(gate: Gate) -> None:
    verdict = await gate.check(
        "The café is next to them.", make_context(), Channel.KIOSK, user_text="And coffee?",
        earlier_answers=(f"{PREFIX} The restrooms are next to the pharmacy.",),
    )

    assert verdict.action == "pass"
    assert verdict.final_text == "The café is next to them."


async def test_earlier_answers_without_disclosure_do_not_count(gate: Gate) -> None:
    verdict = await gate.check(
        "The café is next to them.", make_context(), Channel.KIOSK, user_text="And coffee?",
        earlier_answers=("The restrooms are next to the pharmacy.",),
    )

    assert verdict.final_text.startswith(PREFIX)


async def test_the_gates_disclosure_counts_against_the_kiosk_length(gate: Gate) -> None:
    sentence = "Fresh bread is baked every morning in the store bakery."
    text = " ".join([sentence] * 8) + " Rolls too."  # 458 characters: fits alone, not with
    # the disclosure

    verdict = await check(gate, text, channel=Channel.KIOSK)

    assert verdict.action == "repaired"
    assert codes(verdict) == {"too_long"}
    assert verdict.final_text.startswith(PREFIX)
    assert len(verdict.final_text) <= 480


async def test_a_repair_that_leaves_only_a_disclosure_replaces_the_answer(gate: Gate) -> None:
    verdict = await check(gate, f"{PREFIX} Deals are at https://deals.example.net/x.",
                          channel=Channel.KIOSK)

    assert verdict.action == "replaced"


@pytest.mark.parametrize(
    "text",
    [
        "I'm a real person working at the service desk.",
        "Don't worry, you're talking to a human, not a bot.",
        "This is Sarah from the store team, and I'm not an AI.",
    ],
)
async def test_claiming_to_be_a_person_is_dropped(gate: Gate, text: str) -> None:
    verdict = await check(gate, f"{text} Bread is in aisle 2.", channel=Channel.KIOSK)

    assert verdict.action == "repaired"
    assert codes(verdict) == {"human_claim"}
    assert verdict.final_text == f"{PREFIX} Bread is in aisle 2."


async def test_without_the_gates_disclosure_a_missing_one_is_repaired(
    policy: GovernancePolicy,
) -> None:
    brand = policy.brand.model_copy(
        update={"disclosure": policy.brand.disclosure.model_copy(update={"added_by_gate": False})}
    )
    gate = Gate(policy.model_copy(update={"brand": brand}), "test", engine="rules")

    verdict = await check(gate, "The restrooms are next to the pharmacy.", channel=Channel.KIOSK)

    assert verdict.action == "repaired"
    assert codes(verdict) == {"missing_disclosure"}
    assert verdict.final_text == f"{PREFIX} The restrooms are next to the pharmacy."


async def test_channels_without_the_requirement_get_no_disclosure(gate: Gate) -> None:
    verdict = await check(gate, "The restrooms are next to the pharmacy.", channel=Channel.APP)

    assert verdict.final_text == "The restrooms are next to the pharmacy."
