"""Redis for the decisioning tests: database 8, each test under a key prefix of its own."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
import redis
import redis.asyncio as aioredis

from tests.decisioning.support import REDIS_URL


@pytest.fixture
def key_prefix() -> Iterator[str]:
    """A prefix of this test's own, removed afterwards, so nothing else in the database is touched."""
    prefix = f"test:nbo:{uuid.uuid4().hex}:"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)
    client.close()


@pytest.fixture
async def async_redis() -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(REDIS_URL)
    yield client
    await client.aclose()
