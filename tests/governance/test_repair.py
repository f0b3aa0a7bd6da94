"""Repair keeps what is safe; anything else is replaced; nothing unsafe is sent."""

from __future__ import annotations

import pytest

from gateway.exceptions import ConfigError
from gateway.governance import Gate
from gateway.governance._facts import Finding, TurnFacts
from gateway.policy.governance import GovernancePolicy
from gateway.turn import Channel

from .support import check, codes

pytestmark = pytest.mark.anyio


async def test_repair_drops_only_the_offending_sentence(gate: Gate) -> None:
    text = (
        "Hi Sam! You have 1,250 points. Prices at Costco are higher anyway. "
        "Here's one for you: [[offer:OFR-1]]. Anything else I can help with?"
    )

    verdict = await check(gate, text)

    assert verdict.action == "repaired"
    assert codes(verdict) == {"competitor"}
    assert "Costco" not in verdict.final_text
    assert verdict.final_text.startswith("Hi Sam! You have 1,250 points. Here's one for you:")
    assert verdict.final_text.endswith("Anything else I can help with?")
    assert verdict.offers_rendered == ("OFR-1",)


async def test_repair_keeps_line_breaks_of_a_list(gate: Gate) -> None:
    text = "Your options:\n- Milk in aisle 5\n- Compare at kroger.com\n- Bread in aisle 2"

    verdict = await check(gate, text)

    assert verdict.final_text == "Your options:\n- Milk in aisle 5\n- Bread in aisle 2"


async def test_nothing_useful_left_after_repair_means_replacement(gate: Gate) -> None:
    verdict = await check(gate, "Shop at Aldi.")

    assert verdict.action == "replaced"
    assert codes(verdict) == {"competitor"}


async def test_replacement_is_the_channels_safe_fallback(
    gate: Gate, policy: GovernancePolicy
) -> None:
    for channel in Channel:
        verdict = await check(gate, "Everything is free today!", channel=channel)
        assert verdict.final_text == policy.channels[channel].fallback
        assert verdict.offers_rendered == ()


async def test_verdict_carries_the_policy_version(gate: Gate) -> None:
    verdict = await check(gate, "Milk is in aisle 5.")

    assert verdict.policy_version == gate.policy_version
    assert len(verdict.policy_version) == 16


class _BrokenChecker:
    async def findings(self, text: str, facts: TurnFacts) -> list[Finding]:
        raise RuntimeError("validator crashed")


async def test_a_check_that_fails_to_run_replaces_the_answer(
    policy_and_version: tuple[GovernancePolicy, str],
) -> None:
    gate = Gate(*policy_and_version, engine=_BrokenChecker())

    verdict = await check(gate, "Milk is in aisle 5.")

    assert verdict.action == "replaced"
    assert codes(verdict) == {"gate_error"}


def test_a_fallback_that_breaks_the_rules_is_refused_at_start_up(
    policy_and_version: tuple[GovernancePolicy, str],
) -> None:
    policy, version = policy_and_version
    app = policy.channels[Channel.APP].model_copy(update={"fallback": "Coffee is free today!"})
    broken = policy.model_copy(update={"channels": {**policy.channels, Channel.APP: app}})

    with pytest.raises(ConfigError, match="app fallback fails its own checks"):
        Gate(broken, version, engine="rules")
