"""Where the scorer's state and its open decisions are kept between requests and restarts.

    ModelStore         read() / write() of one snapshot (bytes)
      FileModelStore   a file under the data dir, replaced atomically
      RedisModelStore  one Redis key, shared by every gateway process
    RedisDecisionLog   each decision's record until its feedback arrives (async, with a TTL)

The model stores are synchronous: a snapshot is written on a schedule or at shutdown,
never on the request path (call them through `asyncio.to_thread` from async code).
Redis errors become `StoreError`.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Protocol

import redis
import redis.asyncio as aioredis
from redis.exceptions import RedisError

from gateway.decisioning._types import DecisionRecord
from gateway.exceptions import StoreError

MODEL_KEY = "lg:nbo:v1:model"
DECISION_PREFIX = "lg:nbo:v1:decision:"
# Redemptions can come days after an offer is shown; a month covers the offers' usual validity.
DECISION_TTL_S = 30 * 86_400


class ModelStore(Protocol):
    def read(self) -> bytes | None:
        """The last snapshot written, or None when there is none yet."""
        ...

    def write(self, data: bytes) -> None: ...


class FileModelStore:
    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> bytes | None:
        try:
            return self.path.read_bytes()
        except FileNotFoundError:
            return None

    def write(self, data: bytes) -> None:
        # Written beside the target and renamed over it, so a crash mid-write leaves the
        # previous snapshot in place instead of a torn one.
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


class RedisModelStore:
    def __init__(self, client: redis.Redis, *, key: str = MODEL_KEY) -> None:
        self._redis = client
        self._key = key

    def read(self) -> bytes | None:
        try:
            value = self._redis.get(self._key)
        except RedisError as e:
            raise StoreError(f"cannot read the offer model from Redis: {e}") from e
        if value is None:
            return None
        if not isinstance(value, bytes):
            raise StoreError("the offer model must be read with a client that returns bytes")
        return value

    def write(self, data: bytes) -> None:
        try:
            self._redis.set(self._key, data)
        except RedisError as e:
            raise StoreError(f"cannot write the offer model to Redis: {e}") from e


class RedisDecisionLog:
    """Decision records by decision id, kept `ttl_s` seconds for the feedback to find them."""

    def __init__(
        self, client: aioredis.Redis, *, prefix: str = DECISION_PREFIX, ttl_s: int = DECISION_TTL_S
    ) -> None:
        self._redis = client
        self._prefix = prefix
        self._ttl_s = ttl_s

    async def put(self, record: DecisionRecord) -> None:
        try:
            payload = json.dumps(record.to_json())
            await self._redis.set(self._prefix + record.decision_id, payload, ex=self._ttl_s)
        except RedisError as e:
            raise StoreError(f"cannot log the offer decision: {e}") from e

    async def get(self, decision_id: str) -> DecisionRecord | None:
        try:
            raw = await self._redis.get(self._prefix + decision_id)
        except RedisError as e:
            raise StoreError(f"cannot read the offer decision: {e}") from e
        return None if raw is None else DecisionRecord.from_json(json.loads(raw))
