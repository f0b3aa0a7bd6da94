"""The checks run as guardrails-ai validators, offline, with telemetry off."""

from __future__ import annotations

import anyio
import pytest

from gateway.governance import Gate, RuleBook
from gateway.governance._facts import TurnFacts
from gateway.policy.governance import GovernancePolicy
from gateway.turn import Channel

from .support import check, make_context

pytestmark = pytest.mark.anyio

NAMES = ("loyalty/grounded_offers", "loyalty/pii", "loyalty/brand_voice", "loyalty/advice",
         "loyalty/links")


def test_validators_are_registered_under_loyalty_names(guardrails_gate: Gate) -> None:
    from guardrails.validator_base import validators_registry

    assert set(NAMES) <= set(validators_registry)


def test_each_channel_has_one_guard_with_metrics_off(guardrails_gate: Gate) -> None:
    guards = guardrails_gate._checker._guards  # type: ignore[attr-defined]

    assert set(guards) == set(Channel)
    for guard in guards.values():
        assert guard._allow_metrics_collection is False
        assert sorted(v.rail_alias for v in guard._validators) == sorted(NAMES)


async def test_hub_telemetry_stays_off_after_checks(guardrails_gate: Gate) -> None:
    from guardrails.utils.hub_telemetry_utils import HubTelemetry

    await check(guardrails_gate, "Get 90% off everything!")

    assert HubTelemetry()._enabled is False


def test_validator_fix_value_drops_the_offending_sentence(
    guardrails_gate: Gate, policy: GovernancePolicy
) -> None:
    from gateway.governance._validators import FACTS_KEY, BrandVoice

    rules = RuleBook(policy).for_channel(Channel.APP)
    facts = TurnFacts.build(make_context(), Channel.APP, "hi", policy.claims)

    result = BrandVoice(rules).validate("Milk is in aisle 5. Walmart is worse.", {FACTS_KEY: facts})

    assert result.outcome == "fail"
    assert result.fix_value == "Milk is in aisle 5."
    assert [span.reason.split(":")[0] for span in result.error_spans] == ["competitor"]


async def test_both_engines_give_the_same_verdict(rules_gate: Gate, guardrails_gate: Gate) -> None:
    text = "Hi! [[offer:OFR-2]]. Call 555-867-5309. Costco is far. Enjoy 90% off."
    for channel in Channel:
        assert await check(rules_gate, text, channel=channel) == await check(
            guardrails_gate, text, channel=channel
        )


async def test_concurrent_checks_on_one_guard_do_not_mix_up_answers(
    rules_gate: Gate, guardrails_gate: Gate
) -> None:
    texts = [
        "Milk is in aisle 5. Walmart is worse.",
        "Get 90% off with code VIP90.",
        "You have 1,250 points.",
        "Email me at a@b.example now. You have 1,250 points.",
    ] * 25
    results: dict[int, object] = {}

    async def run(index: int, text: str) -> None:
        results[index] = await check(guardrails_gate, text)

    async with anyio.create_task_group() as group:
        for index, text in enumerate(texts):
            group.start_soon(run, index, text)

    for index, text in enumerate(texts):
        assert results[index] == await check(rules_gate, text), text
