"""Fixtures: a hand-made shop per test and a real Redis (database 10, flushed per session)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import redis
import redis.asyncio as aioredis

from .shop import Shop

OFFERS_REDIS_URL = "redis://127.0.0.1:6379/10"


@pytest.fixture(scope="session")
def offers_redis_url() -> Iterator[str]:
    client = redis.Redis.from_url(OFFERS_REDIS_URL)
    client.flushdb()
    client.close()
    yield OFFERS_REDIS_URL


@pytest.fixture
async def client(offers_redis_url: str) -> AsyncIterator[aioredis.Redis]:
    connection = aioredis.Redis.from_url(offers_redis_url)
    yield connection
    await connection.aclose()


@pytest.fixture
def shop(tmp_path: Path) -> Shop:
    return Shop(tmp_path / "shop.db")
