"""Shape a finished turn as an OpenAI chat completion, whole or as a stream of chunks.

A streamed answer has already passed the governance gate as a whole before the
first byte is sent; it is released sentence by sentence, so a client never sees
a token that is later withdrawn.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from gateway.turn import Turn


def gateway_object(turn: Turn) -> dict[str, Any]:
    """What the gateway decided and why; safe to show the channel that asked."""
    route, draft, verdict, context = turn.route, turn.draft, turn.verdict, turn.context
    assert route is not None and draft is not None and verdict is not None
    offers = [o for o in (context.offers if context else ()) if o.offer_id in verdict.offers_rendered]
    return {
        "decision_id": turn.decision_id,
        "route": route.route.value,
        "route_reason": route.reason,
        "intent": route.intent,
        "confidence": route.confidence,
        "model": draft.model,
        "note": draft.note,
        "offers": [{"offer_id": o.offer_id, "terms": o.render()} for o in offers],
        "governance": {
            "action": verdict.action,
            "violations": [{"code": v.code, "policy": v.policy, "message": v.message}
                           for v in verdict.violations],
            "policy_version": verdict.policy_version,
        },
        "prompt_version": draft.prompt_version,
        "flags": list(dict.fromkeys(turn.flags)),
        "stage_ms": dict(turn.timings_ms),
    }


def completion_body(turn: Turn) -> dict[str, Any]:
    assert turn.verdict is not None
    return {
        "id": _completion_id(turn),
        "object": "chat.completion",
        "created": int(turn.started_at.timestamp()),
        "model": turn.requested_model,
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": turn.verdict.final_text},
            "finish_reason": "stop",
        }],
        "gateway": gateway_object(turn),
    }


def stream_events(turn: Turn, pieces: Sequence[str]) -> Iterator[str]:
    """Server-sent events: a role chunk, one chunk per sentence, a final chunk, [DONE]."""
    yield _event(turn, {"role": "assistant", "content": ""}, None)
    for piece in pieces:  # pieces keep their separators: joined, they are the answer
        yield _event(turn, {"content": piece}, None)
    yield _event(turn, {}, "stop", gateway=gateway_object(turn))
    yield "data: [DONE]\n\n"


def _event(turn: Turn, delta: dict[str, str], finish: str | None, **extra: Any) -> str:
    chunk = {
        "id": _completion_id(turn),
        "object": "chat.completion.chunk",
        "created": int(turn.started_at.timestamp()),
        "model": turn.requested_model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        **extra,
    }
    return f"data: {json.dumps(chunk, separators=(',', ':'))}\n\n"


def _completion_id(turn: Turn) -> str:
    return "chatcmpl-" + turn.decision_id.removeprefix("dec_")
