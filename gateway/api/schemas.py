"""The OpenAI-compatible wire format, plus the `gateway` object our answers add."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Depends, Header
from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TextPart(_Strict):
    type: Literal["text"]
    text: str


class InMessage(_Strict):
    role: Literal["system", "developer", "user", "assistant"]
    content: str | list[TextPart]
    name: str | None = None

    def text(self) -> str:
        if isinstance(self.content, str):
            return self.content
        return "\n".join(part.text for part in self.content)


class ChannelMetadata(_Strict):
    store_id: str | None = Field(default=None, max_length=64)
    location: str | None = Field(default=None, max_length=200)
    weather: str | None = Field(default=None, max_length=200)
    locale: str = Field(default="en-US", pattern=r"^[a-z]{2}(-[A-Z]{2})?$")


class StreamOptions(_Strict):
    include_usage: bool = False


class ChatCompletionRequest(_Strict):
    """OpenAI's request body. Sampling parameters are accepted for compatibility;
    the gateway's routes choose their own (documented in the README)."""

    model: str = Field(min_length=1, max_length=200)
    messages: list[InMessage] = Field(min_length=1)
    user: str = Field(min_length=1, max_length=64, description="the loyalty member id")
    stream: bool = False
    stream_options: StreamOptions | None = None
    metadata: ChannelMetadata = Field(default_factory=ChannelMetadata)
    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, ge=0, le=1)
    max_tokens: int | None = Field(default=None, ge=1)
    max_completion_tokens: int | None = Field(default=None, ge=1)
    n: Literal[1] = 1
    seed: int | None = None
    stop: str | list[str] | None = None
    presence_penalty: float | None = None
    frequency_penalty: float | None = None


def error_body(message: str, code: str, kind: str, param: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


def _gpc(sec_gpc: Annotated[str | None, Header(alias="Sec-GPC")] = None) -> bool:
    """Global Privacy Control: the channel relays the member's browser or device signal as
    `Sec-GPC: 1` (the only value the specification defines; anything else is no signal)."""
    return sec_gpc is not None and sec_gpc.strip() == "1"


GpcSignal = Annotated[bool, Depends(_gpc)]
