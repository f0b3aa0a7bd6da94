"""Turn the caller's messages into a clean conversation, or refuse it with a clear reason.

- Text is NFKC-normalised and stripped of control and zero-width characters, so
  later stages (routing, the governance gate) see what a person would read.
- A message over the size limit is refused (413), not truncated: cutting a
  question in half changes its meaning silently.
- System messages from the caller are dropped and flagged: the gateway owns the
  system prompt, and nothing a client sends may change a policy.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from gateway.exceptions import InvalidRequest, PayloadTooLarge
from gateway.turn import ChatMessage

# C0/C1 controls except tab and newline, plus zero-width and bidi-override characters.
_INVISIBLE = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]"
)


@dataclass(frozen=True)
class Limits:
    max_message_chars: int
    max_messages: int


@dataclass(frozen=True)
class PreparedConversation:
    messages: tuple[ChatMessage, ...]
    query: str
    flags: tuple[str, ...]


def clean_text(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    return "\n".join(" ".join(line.split()) for line in text.splitlines()).strip()


def prepare_conversation(messages: Sequence[ChatMessage], limits: Limits) -> PreparedConversation:
    if not messages:
        raise InvalidRequest("messages must contain at least one user message", code="no_messages")
    if len(messages) > limits.max_messages:
        raise PayloadTooLarge(
            f"too many messages: {len(messages)} (the limit is {limits.max_messages}); "
            "send only the recent part of the conversation",
            code="too_many_messages",
        )
    flags: list[str] = []
    kept: list[ChatMessage] = []
    for index, message in enumerate(messages):
        _check_size(index, message, limits)
        if message.role == "system":
            flags.append("client_system_prompt_ignored")
            continue
        kept.append(ChatMessage(role=message.role, content=clean_text(message.content)))
    if not kept or kept[-1].role != "user":
        raise InvalidRequest("the last message must come from the user", code="last_not_user")
    if not kept[-1].content:
        raise InvalidRequest("the user message is empty", code="empty_message")
    return PreparedConversation(tuple(kept), kept[-1].content, tuple(dict.fromkeys(flags)))


def _check_size(index: int, message: ChatMessage, limits: Limits) -> None:
    if len(message.content) > limits.max_message_chars:
        raise PayloadTooLarge(
            f"messages[{index}].content has {len(message.content)} characters "
            f"(the limit is {limits.max_message_chars}); shorten it",
            code="message_too_long",
        )
