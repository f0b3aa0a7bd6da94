"""A real OpenAI-compatible upstream on loopback, with scriptable faults.

Tests drive the gateway's hosted-LLM route (litellm, the openai SDK, httpx)
against this server instead of patching clients, so the whole HTTP path runs:

    with UpstreamServer(Script(reply="Hi there.")) as up:
        client = OpenAI(base_url=up.base_url, api_key="k")
        ...
        up.configure(error=500)          # change behaviour while it runs
        assert up.requests[-1].body["messages"][0]["role"] == "system"

It serves `POST /v1/chat/completions` (plain JSON or server-sent events) and
`GET /v1/models`, records every request it receives, and stops cleanly: the
uvicorn thread is joined on exit and a slow reply in flight is cut short.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.support.serving import ServedApp

ReplyFn = Callable[[Mapping[str, Any]], str]


@dataclass(frozen=True)
class Script:
    """How the upstream behaves; replace it with `UpstreamServer.configure(...)`."""

    reply: str | ReplyFn = "Hello from the test upstream."
    model: str | None = None  # model name reported back; None echoes the requested one
    slow: float = 0.0  # seconds to wait before answering
    error: int | None = None  # answer every call with this HTTP status (500, 429, 401, ...)
    flaky: int = 0  # fail the first N calls after `configure` with `flaky_status`
    flaky_status: int = 500
    chunks: int = 4  # how many content pieces a streamed reply is split into
    chunk_delay: float = 0.0  # seconds between streamed pieces
    models: tuple[str, ...] = ("test-model",)  # what GET /v1/models lists


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: Mapping[str, str]  # lower-case names
    body: Mapping[str, Any] = field(default_factory=dict)


class UpstreamServer:
    """Serves a `Script` on 127.0.0.1 (free port) from a background thread."""

    def __init__(self, script: Script | None = None, *, start_timeout: float = 10.0) -> None:
        self._script = script or Script()
        self._start_timeout = start_timeout
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._calls_since_configure = 0
        self._stopping = threading.Event()
        self._served: ServedApp | None = None

    # -- scripting and inspection (thread-safe; called from the test thread) --

    @property
    def script(self) -> Script:
        with self._lock:
            return self._script

    def configure(self, script: Script | None = None, **changes: Any) -> None:
        """Swap the script (or change some fields); restarts the `flaky` count."""
        with self._lock:
            base = script or self._script
            self._script = dataclasses.replace(base, **changes)
            self._calls_since_configure = 0

    @property
    def requests(self) -> tuple[RecordedRequest, ...]:
        with self._lock:
            return tuple(self._requests)

    @property
    def completion_requests(self) -> tuple[RecordedRequest, ...]:
        return tuple(r for r in self.requests if r.path.endswith("/chat/completions"))

    def clear(self) -> None:
        with self._lock:
            self._requests.clear()
            self._calls_since_configure = 0

    @property
    def port(self) -> int:
        if self._served is None:
            raise RuntimeError("the upstream server is not running")
        return self._served.port

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    # -- lifecycle --

    def __enter__(self) -> UpstreamServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        self._stopping.clear()
        self._served = ServedApp(_build_app(self), lifespan="off", start_timeout=self._start_timeout)
        self._served.start()

    def stop(self) -> None:
        self._stopping.set()  # cuts slow replies short so shutdown does not wait on them
        if self._served is not None:
            self._served.stop()
        self._served = None

    # -- used by the app, on the server thread --

    def _record(self, request: Request, body: Mapping[str, Any]) -> tuple[Script, int]:
        recorded = RecordedRequest(
            method=request.method,
            path=request.url.path,
            headers={k.lower(): v for k, v in request.headers.items()},
            body=body,
        )
        with self._lock:
            self._requests.append(recorded)
            self._calls_since_configure += 1
            return self._script, self._calls_since_configure

    async def _pause(self, seconds: float) -> None:
        """Sleep, but give up as soon as the server is asked to stop."""
        deadline = time.monotonic() + seconds
        while not self._stopping.is_set() and time.monotonic() < deadline:
            await asyncio.sleep(min(0.02, max(0.0, deadline - time.monotonic())))


def _build_app(server: UpstreamServer) -> Starlette:
    async def chat_completions(request: Request) -> Response:
        try:
            body = await request.json()
        except json.JSONDecodeError:
            return _error(400, "request body is not JSON")
        script, call_number = server._record(request, body)
        await server._pause(script.slow)
        if script.error is not None:
            return _error(script.error, "scripted failure")
        if call_number <= script.flaky:
            return _error(script.flaky_status, f"scripted flaky failure {call_number}")
        text = script.reply(body) if callable(script.reply) else script.reply
        model = script.model or str(body.get("model", "test-model"))
        if body.get("stream"):
            include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
            events = _stream_events(server, script, model, text, body=body, include_usage=include_usage)
            return StreamingResponse(events, media_type="text/event-stream")
        return JSONResponse(_completion(model, text, body))

    async def list_models(request: Request) -> Response:
        server._record(request, {})
        models = [
            {"id": m, "object": "model", "created": 0, "owned_by": "test"} for m in server.script.models
        ]
        return JSONResponse({"object": "list", "data": models})

    return Starlette(
        routes=[
            Route("/v1/chat/completions", chat_completions, methods=["POST"]),
            Route("/v1/models", list_models, methods=["GET"]),
        ]
    )


def _error(status: int, message: str) -> Response:
    kind = {
        400: "invalid_request_error",
        401: "authentication_error",
        429: "rate_limit_error",
    }.get(status, "server_error")
    # retry-after 0: clients that honour it retry at once, which keeps tests fast.
    headers = {"retry-after": "0"} if status == 429 else None
    payload = {"error": {"message": message, "type": kind, "param": None, "code": str(status)}}
    return JSONResponse(payload, status_code=status, headers=headers)


def _usage(body: Mapping[str, Any], text: str) -> dict[str, int]:
    # A rough word count stands in for tokens; tests only need plausible numbers.
    prompt = sum(len(str(m.get("content", "")).split()) for m in body.get("messages", []))
    completion = len(text.split())
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _completion(model: str, text: str, body: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": _usage(body, text),
    }


def split_text(text: str, pieces: int) -> list[str]:
    """Split `text` into up to `pieces` parts on word boundaries; they join back to `text`."""
    words = text.split(" ")
    if pieces <= 1 or len(words) <= 1:
        return [text]
    size = -(-len(words) // pieces)  # ceiling division
    parts = [" ".join(words[i : i + size]) for i in range(0, len(words), size)]
    # Re-attach the separating spaces so that "".join(parts) == text.
    return [p if i == len(parts) - 1 else p + " " for i, p in enumerate(parts)]


async def _stream_events(
    server: UpstreamServer,
    script: Script,
    model: str,
    text: str,
    *,
    body: Mapping[str, Any],
    include_usage: bool,
) -> AsyncIterator[str]:
    chunk_id = f"chatcmpl-{uuid.uuid4().hex[:24]}"
    created = int(time.time())

    def event(choices: list[dict[str, Any]], **extra: Any) -> str:
        chunk = {
            "id": chunk_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "choices": choices,
            **extra,
        }
        return f"data: {json.dumps(chunk)}\n\n"

    def delta(content: dict[str, Any], finish: str | None = None) -> list[dict[str, Any]]:
        return [{"index": 0, "delta": content, "finish_reason": finish}]

    yield event(delta({"role": "assistant", "content": ""}))
    for piece in split_text(text, script.chunks):
        await server._pause(script.chunk_delay)
        yield event(delta({"content": piece}))
    yield event(delta({}, "stop"))
    if include_usage:
        yield event([], usage=_usage(body, text))  # the OpenAI shape: no choices, only usage
    yield "data: [DONE]\n\n"
