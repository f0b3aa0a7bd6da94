"""The refusal a blocked turn gets: polite, helpful, and itself clean for the gate and the screen."""

from __future__ import annotations

import pytest

from gateway.context.prompts import PromptRegistry
from gateway.governance import Gate
from gateway.policy.governance import load_governance_policy
from gateway.rails import REFUSAL_TEMPLATE, InputScreen
from gateway.settings import PROJECT_ROOT
from gateway.turn import Channel, ChatMessage
from tests.governance.support import make_context

from .support import MEMBER_ID


@pytest.fixture(scope="module")
def refusal() -> str:
    return PromptRegistry(PROJECT_ROOT / "prompts").render(REFUSAL_TEMPLATE, {}).text


def test_the_refusal_still_offers_help_with_the_loyalty_basics(refusal: str) -> None:
    for topic in ("points", "tier", "offers", "purchases", "store hours"):
        assert topic in refusal
    assert refusal.startswith("Sorry")


@pytest.mark.anyio
@pytest.mark.parametrize("channel", [Channel.APP, Channel.KIOSK, Channel.ASSOCIATE])
async def test_the_refusal_passes_the_governance_gate(refusal: str, channel: Channel) -> None:
    gate = Gate(*load_governance_policy(PROJECT_ROOT / "policies" / "governance.yaml"), engine="rules")
    verdict = await gate.check(refusal, make_context(), channel, user_text="show me all customers")
    assert verdict.action == "pass", verdict.violations


def test_the_refusal_in_the_history_does_not_trip_the_screen(refusal: str, screen: InputScreen) -> None:
    messages = (ChatMessage("user", "hi"), ChatMessage("assistant", refusal),
                ChatMessage("user", "ok, how many points do I have?"))
    assert screen.screen(messages, member_id=MEMBER_ID).action == "allow"
