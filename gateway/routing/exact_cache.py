"""Exact-match cache in Redis that never carries one member's data to another.

An entry does not hold answer text. It holds the routing outcome for a query
(the lookup intent and its confidence): the answer is re-rendered from the
asking member's live data through the approved template. The key includes the
channel, locale, prompt version and policy version, so a change to either
retires the entries it affects.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import redis.asyncio as redis
from redis.exceptions import RedisError

from gateway.exceptions import StoreError

KEY_PREFIX = "lg:exact:v1:"


@dataclass(frozen=True)
class CacheScope:
    channel: str
    locale: str
    prompt_version: str
    policy_version: str


@dataclass(frozen=True)
class CachedRoute:
    intent: str
    confidence: float


def normalise_query(text: str) -> str:
    """Case, spacing and trailing punctuation do not change a lookup question."""
    return " ".join(text.casefold().split()).rstrip("?!. ")


def cache_key(scope: CacheScope, query: str) -> str:
    material = "\x1f".join(
        (
            scope.channel,
            scope.locale,
            scope.prompt_version,
            scope.policy_version,
            normalise_query(query),
        )
    )
    return KEY_PREFIX + hashlib.sha256(material.encode("utf-8")).hexdigest()


class ExactCache:
    def __init__(self, client: redis.Redis, ttl_s: int) -> None:
        self._redis = client
        self._ttl_s = ttl_s

    async def get(self, key: str) -> CachedRoute | None:
        try:
            raw = await self._redis.get(key)
        except RedisError as e:
            raise StoreError(f"exact cache read failed: {e}") from e
        if raw is None:
            return None
        data = json.loads(raw)
        return CachedRoute(intent=str(data["intent"]), confidence=float(data["confidence"]))

    async def put(self, key: str, entry: CachedRoute) -> None:
        payload = json.dumps({"intent": entry.intent, "confidence": entry.confidence})
        try:
            await self._redis.set(key, payload, ex=self._ttl_s)
        except RedisError as e:
            raise StoreError(f"exact cache write failed: {e}") from e
