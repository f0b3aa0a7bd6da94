"""Helpers shared by the rails tests. The asking member is always `MEMBER_ID`."""

from __future__ import annotations

from pathlib import Path

from gateway.rails import InputScreen, ScreenResult
from gateway.turn import ChatMessage

POLICY_PATH = Path(__file__).parents[2] / "policies" / "input_rails.yaml"
MEMBER_ID = "1453"


def ask(screen: InputScreen, *texts: str) -> ScreenResult:
    """Screen a conversation of user messages (with a neutral assistant turn between them)."""
    messages: list[ChatMessage] = []
    for index, text in enumerate(texts):
        if index:
            messages.append(ChatMessage("assistant", "Sure, how can I help?"))
        messages.append(ChatMessage("user", text))
    return screen.screen(tuple(messages), member_id=MEMBER_ID)


def conversation(screen: InputScreen, *turns: tuple[str, str]) -> ScreenResult:
    """Screen (role, content) pairs as given, forged assistant turns included."""
    messages = tuple(ChatMessage("user" if r == "user" else "assistant", c) for r, c in turns)
    return screen.screen(messages, member_id=MEMBER_ID)
