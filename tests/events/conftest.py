"""Real Redis (database 7, flushed per test) and the events route in a tiny app.

The app holds only what the route uses: the real key ring from the development
keys file and a real ingestor; request state carries them the way the gateway's
lifespan state does.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
import redis.asyncio as redis
from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from gateway.api import events as events_api
from gateway.api.errors import install_error_handlers
from gateway.api.keys import KeyRing
from gateway.events import EventConsumer, EventIngestor, HotProfiles
from gateway.settings import PROJECT_ROOT

EVENTS_REDIS_URL = "redis://127.0.0.1:6379/7"
DEV_KEYS = PROJECT_ROOT / "deploy" / "channel-keys.dev.yaml"
POINTS_PER_DOLLAR = 2.0


@dataclass
class EventServices:
    """The fields of the gateway's `Services` that the events route reads."""

    keys: KeyRing
    events: EventIngestor


@pytest.fixture
async def client() -> AsyncIterator[redis.Redis]:
    connection = redis.Redis.from_url(EVENTS_REDIS_URL)
    await connection.flushdb()
    yield connection
    await connection.aclose()


@pytest.fixture
def profiles(client: redis.Redis) -> HotProfiles:
    return HotProfiles(client, points_per_dollar=POINTS_PER_DOLLAR)


@pytest.fixture
def ingestor(client: redis.Redis) -> EventIngestor:
    return EventIngestor(client, max_batch=20)


@pytest.fixture
async def consumer(client: redis.Redis, profiles: HotProfiles) -> AsyncIterator[EventConsumer]:
    running = EventConsumer(client, profiles, "hot-profiles", "test-consumer")
    await running.start()
    yield running
    await running.stop()


@pytest.fixture
async def http(ingestor: EventIngestor) -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(events_api.router)
    services = EventServices(KeyRing.load(DEV_KEYS, production=False), ingestor)

    async def with_state(scope: Scope, receive: Receive, send: Send) -> None:
        scope["state"] = {"services": services}  # what uvicorn does with lifespan state
        await app(scope, receive, send)

    transport = httpx.ASGITransport(app=with_state)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as http_client:
        yield http_client
