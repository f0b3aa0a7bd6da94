"""POST /v1/chat/completions: parse, run the pipeline once, shape the answer."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from gateway.api.deps import ChatCaller, ServicesDep
from gateway.api.responses import completion_body, stream_events
from gateway.api.schemas import ChatCompletionRequest, GpcSignal
from gateway.turn import ChatMessage, RequestMetadata, Turn

router = APIRouter(tags=["chat"])
Role = Literal["system", "user", "assistant"]


def turn_from_request(body: ChatCompletionRequest, caller: ChatCaller, *, gpc: bool = False) -> Turn:
    messages = tuple(ChatMessage(role=_role(m.role), content=m.text()) for m in body.messages)
    meta = body.metadata
    return Turn(
        channel=caller.channel,
        member_id=body.user,
        messages=messages,
        metadata=RequestMetadata(meta.store_id, meta.location, meta.weather, meta.locale, gpc=gpc),
        requested_model=body.model,
        stream=body.stream,
    )


def _role(role: str) -> Role:
    # OpenAI's newer "developer" role is a system message by another name.
    if role == "user":
        return "user"
    return "assistant" if role == "assistant" else "system"


@router.post("/v1/chat/completions", response_model=None)
async def chat_completions(
    body: ChatCompletionRequest, caller: ChatCaller, services: ServicesDep, gpc: GpcSignal
) -> dict[str, Any] | StreamingResponse:
    turn = await services.pipeline.run(turn_from_request(body, caller, gpc=gpc))
    if not body.stream:
        return completion_body(turn)
    assert turn.verdict is not None
    pieces = services.stream_pieces(turn.verdict.final_text)
    return StreamingResponse(
        stream_events(turn, pieces),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Decision-Id": turn.decision_id},
    )
