"""The FastAPI application: `create_app(settings)`; services are built in the lifespan.

Importing this module opens no connection and loads no model. The lifespan
builds every store, client and model once (`gateway/composition.py`) and hands
them to requests through typed request state.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from gateway import __version__
from gateway.api import admin, chat, events, members, offers, ops, stores
from gateway.api.errors import install_error_handlers
from gateway.api.schemas import error_body
from gateway.composition import LoadedModels, build_services
from gateway.settings import Settings

_DESCRIPTION = (
    "A governed LLM gateway for conversational loyalty. `POST /v1/chat/completions` is "
    "OpenAI-compatible; `user` names the loyalty member, and each answer carries a "
    "`gateway` object with the decision id, route, offers, governance verdict and stage timings."
)


def create_app(settings: Settings, *, models: LoadedModels | None = None) -> FastAPI:
    """`models` lets a caller hand in already-loaded models (tests load them once)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, object]]:
        services = await build_services(settings, models)
        try:
            yield {"services": services}
        finally:
            await services.close()

    app = FastAPI(title="Loyalty Gateway", version=__version__, description=_DESCRIPTION,
                  lifespan=lifespan)
    install_error_handlers(app)
    app.middleware("http")(_body_size_limit(settings.max_request_bytes))
    app.include_router(chat.router)
    app.include_router(ops.router)
    app.include_router(admin.router)
    app.include_router(offers.router)
    app.include_router(events.router)
    app.include_router(members.router)
    app.include_router(stores.router)
    return app


Handler = Callable[[Request], Awaitable[Response]]


def _body_size_limit(limit: int) -> Callable[[Request, Handler], Awaitable[Response]]:
    """Refuse a body whose declared size is over the limit before reading it."""

    async def middleware(request: Request, call_next: Handler) -> Response:
        declared = request.headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            message = f"request body over {limit} bytes; send a shorter conversation"
            body = error_body(message, "payload_too_large", "invalid_request_error")
            return JSONResponse(body, status_code=413)
        return await call_next(request)

    return middleware
